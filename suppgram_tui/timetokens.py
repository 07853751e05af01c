"""PubNub timetokens and the wall clock, in one place.

A timetoken counts 100-nanosecond ticks since the Unix epoch. Every layer
converts between timetokens and aware UTC datetimes the same way, so the arithmetic and
the "now" the console uses live here. Imports nothing but the standard library.
"""

from __future__ import annotations

from datetime import datetime, timezone

TICKS_PER_SECOND = 10_000_000
"""PubNub timetokens count 100-nanosecond ticks."""


def to_datetime(timetoken: int) -> datetime:
    """The UTC moment a timetoken names."""
    return datetime.fromtimestamp(timetoken / TICKS_PER_SECOND, timezone.utc)


def from_datetime(moment: datetime) -> int:
    """The timetoken of an aware datetime (to the tick a float timestamp can hold)."""
    return int(moment.timestamp() * TICKS_PER_SECOND)


def now_utc() -> datetime:
    """The wall clock, aware and in UTC: the default clock wherever one is injected."""
    return datetime.now(timezone.utc)
