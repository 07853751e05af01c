"""Message action envelopes (`e:3`) become link events, and actions what a message says
now (issue 14 item 7)."""

from __future__ import annotations

from suppgram_tui.inbox.message_actions import MessageActions
from suppgram_tui.link.envelopes import decode_envelope
from suppgram_tui.link.events import MalformedEnvelope, MessageActionChanged


def envelope(event: str, data: dict) -> dict:
    return {"c": "ch", "e": 3, "i": "cust-1", "p": {"t": "17000000000000009"},
            "d": {"source": "actions", "version": "1.0", "event": event, "data": data}}


def test_an_action_envelope_is_an_action_event() -> None:
    data = {"type": "edited", "value": "new text", "messageTimetoken": "17000000000000001",
            "actionTimetoken": "17000000000000005"}
    assert decode_envelope(envelope("added", data)) == MessageActionChanged(
        "ch", 17000000000000001, "edited", "new text", "cust-1", 17000000000000005)
    assert decode_envelope(envelope("removed", data)).removed is True


def test_an_unreadable_action_envelope_is_malformed_not_lost() -> None:
    event = decode_envelope(envelope("added", {"type": "edited"}))
    assert isinstance(event, MalformedEnvelope) and "messageTimetoken" in event.reason
    assert isinstance(decode_envelope(envelope("changed", {})), MalformedEnvelope)


def test_the_newest_edit_wins_and_removing_it_restores_the_one_before() -> None:
    actions = MessageActions()
    actions.apply("edited", "second", "c", 2)
    actions.apply("edited", "first", "c", 1)
    assert actions.edited == "second"
    actions.apply("edited", "second", "c", 2, removed=True)
    assert actions.edited == "first"


def test_reactions_count_people_and_history_reads_the_same() -> None:
    history = {"reactions": {"👍": [{"uuid": "a", "actionTimetoken": "1"},
                                    {"uuid": "b", "actionTimetoken": "2"}],
                             "❤️": [{"uuid": "a", "actionTimetoken": "3"}]},
               "mystery": {"x": [{"uuid": "a", "actionTimetoken": "4"}]}}
    actions = MessageActions.from_history(history)
    assert actions is not None and actions.reaction_line() == "👍 2  ❤️"
    assert MessageActions.from_history({"mystery": {"x": []}}) is None
    assert not actions.apply("mystery", "x", "a", 5)


def test_only_the_author_edits_or_deletes_a_message_anyone_reacts() -> None:
    actions = MessageActions()
    assert not actions.apply("edited", "forged", "someone-else", 1, author="cust-1")
    assert not actions.apply("deleted", "deleted", "someone-else", 2, author="cust-1")
    assert actions.apply("reactions", "👍", "someone-else", 3, author="cust-1")
    assert actions.edited is None and not actions.deleted
    history = {"edited": {"forged": [{"uuid": "x", "actionTimetoken": "1"}],
                          "mine": [{"uuid": "cust-1", "actionTimetoken": "2"}]}}
    read = MessageActions.from_history(history, "cust-1")
    assert read is not None and read.edited == "mine"
