"""The server-wide timetoken clock: 17-digit, 100 ns ticks, strictly increasing."""

from __future__ import annotations

import time
from collections.abc import Callable


def now_ticks() -> int:
    """Current wall-clock time as a PubNub timetoken (100 ns ticks since the epoch)."""
    return time.time_ns() // 100


class TimetokenClock:
    """Hands out strictly increasing timetokens, so history and resumption order is total."""

    def __init__(self, last_issued: int = 0, *, now: Callable[[], int] = now_ticks) -> None:
        self._last = last_issued
        self._now = now

    @property
    def last_issued(self) -> int:
        return self._last

    def next(self) -> int:
        """A fresh timetoken: wall-clock time, or one tick past the last if time stood still."""
        self._last = max(self._now(), self._last + 1)
        return self._last

    def reserve(self, count: int) -> int:
        """The first of `count` consecutive fresh timetokens (one presence change on many
        channels); the clock goes on after the last of them."""
        first = self.next()
        self._last = first + count - 1
        return first
