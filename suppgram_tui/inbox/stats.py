"""Support statistics computed from the conversations the inbox holds, not from a log.

Everything is derived from the entries PubNub history and live traffic gave the inbox,
so two consoles with the same history show the same numbers; a conversation whose
older history is not loaded yet is measured on what is loaded. Times come from
timetokens (100 ns ticks since the epoch), never from the local clock, and "now" is
passed in so that tests and snapshots are repeatable.

How the history is read:

- A *conversation* starts with a customer message when none is open: the first one on
  the channel, or the first after a ``resolved`` entry (a reopened conversation counts
  as a new one, as the inbox treats it). It ends at the next ``resolved`` entry.
- *Time to first response* runs from that opening customer message to the first reply
  by an agent (``Author.ME`` or ``Author.AGENT``) in the same conversation. A
  conversation resolved without a reply gives no sample.
- *Time to resolution* runs from the opening customer message to the ``resolved``
  entry. A ``resolved`` with no open conversation (a second resolve) is ignored.
- Entries without a timetoken (replies not yet sent, malformed envelopes) have no
  time and are left out of every measure.

Ratings (CSAT): Suppgram has no rated message kind, so this console defines one. A
customer rates by publishing a ``rated`` message whose text starts with the rating,
one of ``1`` to ``5``, optionally followed by whitespace and a comment (``"4"``,
``"5 quick and kind"``). Anything else (``"10"``, ``"5/5"``, ``"great"``, no text)
is not a rating and is counted in ``csat_invalid``. A rating belongs to the
conversation it follows; if a customer rates the same conversation twice, the later
valid rating replaces the earlier one. ``rated`` messages published by the support
user are not customer ratings and are ignored. Ratings are neither chat messages nor
conversation openers: they count in no volume and open nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from suppgram_tui.model import ConversationState, MessageKind
from suppgram_tui.timetokens import TICKS_PER_SECOND

from .conversation import Author, Conversation, Entry
from .ratings import RATINGS, parse_rating

SATISFIED_RATINGS = (4, 5)
"""The usual CSAT convention: a 4 or a 5 is a satisfied customer."""

UNKNOWN_AGENT = "(unknown agent)"
"""Who replied, when a reply published as the support user carried no agent name."""

_AGENT_AUTHORS = (Author.ME, Author.AGENT)


@dataclass(frozen=True)
class SupportStats:
    """A snapshot of how support is going, for the stats screen."""

    conversations_by_state: Mapping[ConversationState, int]
    """Channels by their shared state right now, every state present (zero included)."""
    conversations_started: int
    """Conversations opened by a customer in the loaded history; reopenings count again."""
    awaiting_first_response: int
    """Open conversations no agent has replied to yet."""
    first_response_median: timedelta | None
    first_response_p90: timedelta | None
    first_response_count: int
    """How many conversations got a first reply: the sample behind median and p90."""
    resolution_median: timedelta | None
    resolution_p90: timedelta | None
    resolution_count: int
    csat_average: float | None
    """Mean rating from 1 to 5; None until a customer has rated."""
    csat_count: int
    csat_invalid: int
    """``rated`` messages whose text is not a rating (see the module docstring)."""
    csat_distribution: Mapping[int, int]
    """Ratings counted by value, keys 1 to 5 in order, zero included."""
    message_volume: tuple[int, ...]
    """Chat messages (customer and agent) per time bucket, oldest bucket first."""
    volume_bucket_width: timedelta
    volume_end: int
    """Timetoken that closes the last bucket (the `now` the stats were computed at)."""
    replies_by_agent: Mapping[str, int]
    """Sent agent replies by agent name, most replies first."""

    @property
    def conversation_total(self) -> int:
        return sum(self.conversations_by_state.values())

    @property
    def csat_satisfied_share(self) -> float | None:
        """Share of ratings that are 4 or 5 (0.0 to 1.0): CSAT as usually reported."""
        if not self.csat_count:
            return None
        return sum(self.csat_distribution[r] for r in SATISFIED_RATINGS) / self.csat_count


def ticks_to_timedelta(ticks: float) -> timedelta:
    return timedelta(microseconds=ticks / 10)


def quantile(values: list[int], q: float) -> float | None:
    """The `q` quantile (0 to 1) of `values`, interpolating between neighbours.

    This is the common "linear" definition (NumPy's default, spreadsheet PERCENTILE),
    so the 0.5 quantile is the ordinary median.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def compute_stats(conversations: Mapping[str, Conversation], *, now: int,
                  bucket_count: int = 24,
                  bucket_width: timedelta = timedelta(hours=1)) -> SupportStats:
    """Measure `conversations` (e.g. ``Inbox.conversations``) as of timetoken `now`.

    Message volume covers the `bucket_count` buckets of `bucket_width` that end at
    `now`; each bucket includes its end, so a message stamped exactly `now` counts in
    the last one. Messages after `now` are left out.
    """
    if bucket_count < 1:
        raise ValueError(f"bucket_count must be at least 1, not {bucket_count}")
    width = round(bucket_width.total_seconds() * TICKS_PER_SECOND)
    if width <= 0:
        raise ValueError(f"bucket_width must be positive, not {bucket_width}")
    tally = _Tally(now, bucket_count, width)
    by_state = dict.fromkeys(ConversationState, 0)
    for view in conversations.values():
        by_state[view.state] += 1
        tally.read(view)
    ratings = Counter(tally.ratings.values())
    rated = sum(ratings.values())
    return SupportStats(
        conversations_by_state=by_state,
        conversations_started=tally.started,
        awaiting_first_response=tally.awaiting,
        first_response_median=_duration(quantile(tally.first_responses, 0.5)),
        first_response_p90=_duration(quantile(tally.first_responses, 0.9)),
        first_response_count=len(tally.first_responses),
        resolution_median=_duration(quantile(tally.resolutions, 0.5)),
        resolution_p90=_duration(quantile(tally.resolutions, 0.9)),
        resolution_count=len(tally.resolutions),
        csat_average=sum(r * n for r, n in ratings.items()) / rated if rated else None,
        csat_count=rated,
        csat_invalid=tally.invalid_ratings,
        csat_distribution={r: ratings[r] for r in RATINGS},
        message_volume=tuple(tally.volume),
        volume_bucket_width=bucket_width,
        volume_end=now,
        replies_by_agent=dict(sorted(tally.replies.items(), key=lambda item: (-item[1], item[0]))),
    )


def _duration(ticks: float | None) -> timedelta | None:
    return None if ticks is None else ticks_to_timedelta(ticks)


class _Tally:
    """Walks each conversation's entries once and accumulates the raw samples."""

    def __init__(self, now: int, bucket_count: int, bucket_width: int) -> None:
        self.now, self.bucket_width = now, bucket_width
        self.volume = [0] * bucket_count
        self.started = 0
        self.awaiting = 0
        self.first_responses: list[int] = []
        self.resolutions: list[int] = []
        self.ratings: dict[tuple[str, int], int] = {}
        """Latest valid rating per (channel, conversation number on that channel)."""
        self.invalid_ratings = 0
        self.replies: Counter[str] = Counter()

    def read(self, view: Conversation) -> None:
        opened_at: int | None = None  # timetoken of the customer message that opened it
        answered = False
        number = 0  # conversations opened so far on this channel
        stamped = [e for e in view.entries if e.timetoken is not None]
        for entry in sorted(stamped, key=lambda e: e.sort_key):
            at = entry.sort_key
            kind = entry.message.kind if entry.message is not None else None
            if entry.author is Author.CUSTOMER and kind is MessageKind.RATED:
                self._rate(view.channel, number, entry)
            elif entry.author is Author.CUSTOMER:
                self._count_message(at)
                if opened_at is None:
                    opened_at, answered, number = at, False, number + 1
                    self.started += 1
            elif entry.author in _AGENT_AUTHORS:
                self._count_message(at)
                self.replies[entry.agent_name or UNKNOWN_AGENT] += 1
                if opened_at is not None and not answered:
                    self.first_responses.append(at - opened_at)
                    answered = True
            elif kind is MessageKind.RESOLVED and opened_at is not None:
                self.resolutions.append(at - opened_at)
                opened_at = None
        if opened_at is not None and not answered:
            self.awaiting += 1

    def _rate(self, channel: str, number: int, entry: Entry) -> None:
        rating = parse_rating(entry.message.text if entry.message is not None else None)
        if rating is None:
            self.invalid_ratings += 1
        else:
            self.ratings[channel, number] = rating

    def _count_message(self, at: int) -> None:
        if at > self.now:
            return
        bucket = len(self.volume) - 1 - (self.now - at) // self.bucket_width
        if bucket >= 0:
            self.volume[bucket] += 1
