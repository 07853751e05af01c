"""Support statistics from plain conversation data: no server, a fixed `now`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from suppgram_tui.inbox import Author, Conversation, Entry
from suppgram_tui.inbox.durations import format_duration
from suppgram_tui.inbox.stats import UNKNOWN_AGENT, compute_stats, parse_rating, quantile
from suppgram_tui.model import ConversationState, Message, MessageKind

SECOND = 10_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
T0 = 17_000_000_000_000_000  # a timetoken in November 2023
NOW = T0 + 24 * HOUR


def entry(at: int | None, author: Author, kind: MessageKind, text: str | None = "hi", *,
          agent: str | None = None, channel: str = "c") -> Entry:
    message = Message(kind, datetime(2023, 11, 14, tzinfo=timezone.utc), text)
    if author is Author.ME:
        agent = agent or "me"
    return Entry(channel, at, "support" if author is not Author.CUSTOMER else "cust", {},
                 author, message, agent_name=agent)


def customer(at: int | None, text: str = "help") -> Entry:
    return entry(at, Author.CUSTOMER, MessageKind.FROM_CUSTOMER, text)


def reply(at: int | None, agent: str = "ann", *, mine: bool = False) -> Entry:
    return entry(at, Author.ME if mine else Author.AGENT, MessageKind.FROM_AGENT, "ok",
                 agent=agent)


def resolved(at: int | None) -> Entry:
    return entry(at, Author.SYSTEM, MessageKind.RESOLVED, None)


def rated(at: int, text: str | None) -> Entry:
    return entry(at, Author.CUSTOMER, MessageKind.RATED, text)


def conversation(channel: str, *entries: Entry,
                 state: ConversationState = ConversationState.NEW) -> Conversation:
    view = Conversation(channel, state=state)
    for item in entries:
        item.channel = channel
        view.add(item)
    return view


def stats_of(*views: Conversation, **kwargs):
    return compute_stats({view.channel: view for view in views}, now=NOW, **kwargs)


def test_empty_inbox_has_zeros_and_no_durations():
    stats = stats_of()
    assert stats.conversations_by_state == {
        ConversationState.NEW: 0, ConversationState.ASSIGNED: 0, ConversationState.RESOLVED: 0}
    assert stats.conversation_total == 0
    assert stats.conversations_started == stats.awaiting_first_response == 0
    assert stats.first_response_median is None and stats.first_response_p90 is None
    assert stats.resolution_median is None and stats.resolution_p90 is None
    assert stats.first_response_count == stats.resolution_count == 0
    assert stats.csat_average is None and stats.csat_satisfied_share is None
    assert stats.csat_count == stats.csat_invalid == 0
    assert stats.csat_distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert stats.message_volume == (0,) * 24
    assert stats.volume_end == NOW and stats.volume_bucket_width == timedelta(hours=1)
    assert stats.replies_by_agent == {}


def test_conversations_counted_by_shared_state():
    stats = stats_of(conversation("a"), conversation("b", state=ConversationState.ASSIGNED),
                     conversation("c", state=ConversationState.ASSIGNED),
                     conversation("d", state=ConversationState.RESOLVED))
    assert stats.conversations_by_state == {
        ConversationState.NEW: 1, ConversationState.ASSIGNED: 2, ConversationState.RESOLVED: 1}
    assert stats.conversation_total == 4


def test_conversation_answered_after_two_minutes():
    view = conversation("a", customer(T0), customer(T0 + MINUTE),  # a follow-up opens nothing
                        reply(T0 + 2 * MINUTE, "ann", mine=True), reply(T0 + 5 * MINUTE, "bob"))
    stats = stats_of(view)
    assert stats.first_response_median == stats.first_response_p90 == timedelta(minutes=2)
    assert stats.first_response_count == 1
    assert stats.conversations_started == 1
    assert stats.awaiting_first_response == 0
    assert stats.replies_by_agent == {"ann": 1, "bob": 1}


def test_unanswered_and_unsent_replies_are_not_responses():
    waiting = conversation("a", customer(T0), reply(None, mine=True))  # still in the outbox
    stats = stats_of(waiting)
    assert stats.first_response_count == 0 and stats.first_response_median is None
    assert stats.awaiting_first_response == 1
    assert stats.replies_by_agent == {}


def test_median_and_p90_over_several_conversations():
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    views = [conversation(f"c{m}", customer(T0), reply(T0 + m * MINUTE)) for m in minutes]
    stats = stats_of(*views)
    assert stats.first_response_count == 10
    assert stats.first_response_median == timedelta(minutes=5, seconds=30)
    assert stats.first_response_p90 == timedelta(minutes=9, seconds=6)  # 9.1 minutes
    assert stats.replies_by_agent == {"ann": 10}


def test_quantile_is_the_linear_definition():
    assert quantile([], 0.5) is None
    assert quantile([7], 0.9) == 7
    assert quantile([3, 1, 2], 0.5) == 2
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([10, 20], 0.9) == 19


def test_reopened_conversation_counts_as_a_new_conversation():
    view = conversation(
        "a",
        customer(T0), reply(T0 + MINUTE), resolved(T0 + 10 * MINUTE),
        reply(T0 + 20 * MINUTE, "bob"),  # an agent's follow-up does not reopen
        customer(T0 + HOUR), reply(T0 + HOUR + 3 * MINUTE, "bob"),
        state=ConversationState.ASSIGNED)
    stats = stats_of(view)
    assert stats.conversations_started == 2
    assert stats.first_response_count == 2
    assert stats.first_response_median == timedelta(minutes=2)  # of 1 and 3 minutes
    assert stats.first_response_p90 == timedelta(minutes=2, seconds=48)
    assert stats.resolution_count == 1
    assert stats.awaiting_first_response == 0
    assert stats.replies_by_agent == {"bob": 2, "ann": 1}


def test_resolution_time_from_opening_message_to_resolved():
    quick = conversation("a", customer(T0), reply(T0 + MINUTE), resolved(T0 + 10 * MINUTE),
                         resolved(T0 + 20 * MINUTE))  # a second resolve closes nothing
    slow = conversation("b", customer(T0), resolved(T0 + HOUR + 5 * MINUTE))  # no reply at all
    pending = conversation("c", customer(T0), resolved(None))  # resolve not yet published
    stats = stats_of(quick, slow, pending)
    assert stats.resolution_count == 2
    assert stats.resolution_median == timedelta(minutes=37, seconds=30)
    assert stats.resolution_p90 == timedelta(minutes=59, seconds=30)
    assert stats.first_response_count == 1  # resolving is not replying
    assert stats.awaiting_first_response == 1  # "c" is still open and unanswered
    assert format_duration(stats.resolution_median) == "37m 30s"


def test_csat_from_rated_messages_ignoring_malformed_ratings():
    first = conversation("a", customer(T0), reply(T0 + MINUTE), resolved(T0 + 2 * MINUTE),
                         rated(T0 + 3 * MINUTE, "5"))
    commented = conversation("b", customer(T0), resolved(T0 + MINUTE),
                             rated(T0 + 2 * MINUTE, "  2\nslow, but solved"))
    changed_mind = conversation("c", customer(T0), resolved(T0 + MINUTE),
                                rated(T0 + 2 * MINUTE, "1"), rated(T0 + 3 * MINUTE, "4 ok"))
    malformed = conversation("d", customer(T0), resolved(T0 + MINUTE),
                             *[rated(T0 + (2 + i) * MINUTE, text) for i, text in enumerate(
                                 ["10", "0", "5/5", "five", "", "4.5", None, "٥"])])
    by_agent = conversation("e", customer(T0),
                            entry(T0 + MINUTE, Author.SYSTEM, MessageKind.RATED, "1"))
    stats = stats_of(first, commented, changed_mind, malformed, by_agent)
    assert stats.csat_distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert stats.csat_count == 3
    assert stats.csat_average == pytest.approx(11 / 3)
    assert stats.csat_satisfied_share == pytest.approx(2 / 3)
    assert stats.csat_invalid == 8
    assert stats.conversations_started == 5  # a rating after resolve reopens nothing
    whole_window = stats_of(first, commented, changed_mind, malformed, by_agent,
                            bucket_count=1, bucket_width=timedelta(days=2))
    assert whole_window.message_volume == (6,)  # ratings are not chat: 5 openers, 1 reply


def test_ratings_of_two_conversations_on_one_channel_both_count():
    view = conversation("a", customer(T0), resolved(T0 + MINUTE), rated(T0 + 2 * MINUTE, "3"),
                        customer(T0 + HOUR), resolved(T0 + HOUR + MINUTE),
                        rated(T0 + HOUR + 2 * MINUTE, "5"))
    stats = stats_of(view)
    assert stats.csat_count == 2 and stats.csat_average == 4


def test_parse_rating():
    assert parse_rating("5") == 5
    assert parse_rating("1 terrible\nsecond line") == 1
    assert parse_rating("\t3\t") == 3
    for text in (None, "", " ", "6", "05", "5,", "+4", "one", "²"):
        assert parse_rating(text) is None, text


def test_volume_buckets_relative_to_a_fixed_now():
    view = conversation(
        "a",
        customer(NOW - 30 * HOUR),          # before the window: not counted
        customer(NOW - 24 * HOUR),          # exactly 24 h ago: just outside the window
        customer(NOW - 24 * HOUR + 1),      # oldest bucket
        reply(NOW - 90 * MINUTE),           # second to last bucket
        customer(NOW - HOUR),               # an hour ago closes the second to last bucket
        resolved(NOW - 30 * MINUTE),        # system events are not messages
        reply(NOW - 10 * MINUTE, mine=True),
        customer(NOW),                      # exactly now: last bucket
        customer(NOW + MINUTE),             # after now (clock skew): not counted
        reply(None))                        # unsent: no time, not counted
    stats = stats_of(view)
    expected = [0] * 24
    expected[0], expected[22], expected[23] = 1, 2, 2
    assert stats.message_volume == tuple(expected)

    quarter = stats_of(view, bucket_count=4, bucket_width=timedelta(minutes=15))
    assert quarter.message_volume == (0, 0, 0, 2)  # -10 min and now; -60 min is outside
    assert quarter.volume_bucket_width == timedelta(minutes=15)


def test_bucket_parameters_are_checked():
    with pytest.raises(ValueError, match="bucket_count"):
        stats_of(bucket_count=0)
    with pytest.raises(ValueError, match="bucket_width"):
        stats_of(bucket_width=timedelta(0))


def test_replies_without_an_agent_name_and_undecodable_messages():
    anonymous = entry(T0 + MINUTE, Author.AGENT, MessageKind.FROM_AGENT, "ok")
    garbled = Entry("a", T0, "cust", {"weird": True}, Author.CUSTOMER, error="no text")
    stats = stats_of(conversation("a", garbled, anonymous))
    assert stats.replies_by_agent == {UNKNOWN_AGENT: 1}
    assert stats.first_response_median == timedelta(minutes=1)  # a customer wrote something


def test_replies_by_agent_sorted_by_most_replies():
    view = conversation("a", customer(T0), reply(T0 + 1, "zoe"), reply(T0 + 2, "bob"),
                        reply(T0 + 3, "ann"), reply(T0 + 4, "bob"))
    assert list(stats_of(view).replies_by_agent.items()) == [("bob", 2), ("ann", 1), ("zoe", 1)]


@pytest.mark.parametrize(("value", "shown"), [
    (None, "—"),
    (timedelta(0), "0s"),
    (timedelta(seconds=42.9), "42s"),
    (timedelta(seconds=59.99), "59s"),
    (timedelta(minutes=2), "2m 00s"),
    (timedelta(minutes=2, seconds=5), "2m 05s"),
    (timedelta(hours=1, minutes=5, seconds=59), "1h 05m"),
    (timedelta(days=3, hours=4, minutes=30), "3d 04h"),
    (timedelta(days=400), "400d 00h"),
    (timedelta(seconds=-42), "-42s"),
    (timedelta(minutes=-65), "-1h 05m"),
])
def test_format_duration(value, shown):
    assert format_duration(value) == shown


def test_format_duration_missing_text():
    assert format_duration(None, missing="n/a") == "n/a"


def test_a_conversation_keeps_only_its_newest_messages_in_memory():
    from suppgram_tui.inbox.conversation import MAX_KEPT_ENTRIES

    view = Conversation("busy")
    for timetoken in range(1, MAX_KEPT_ENTRIES + 51):
        assert view.add(Entry("busy", timetoken, "c", {}, Author.CUSTOMER))
    assert len(view.entries) == MAX_KEPT_ENTRIES
    assert view.entries[0].timetoken == 51 and view.has_older
    assert view.add(Entry("busy", 10, "c", {}, Author.CUSTOMER))  # re-read on scroll-up
