"""What the transcript laid out last, so that a message added lays out only itself.

Laying out a conversation walks every entry it keeps (1,000) to build each part's key
and find its height: ~3 ms, on every message into the open conversation. When the
entries laid out are still there, in order and unchanged, only the new ones (and the
oldest ones the conversation forgot) need work.
"""

from __future__ import annotations

from operator import is_
from typing import Any

from suppgram_tui.inbox import Delivery, Entry

Mark = tuple[Delivery | None, str | None, int]
"""What of an entry changes how it is drawn after it is laid out."""


def mark(entry: Entry) -> Mark:
    return entry.delivery, entry.delivery_error, entry.revision


class LaidOut:
    """The entries laid out under `state` (width, raw view, read marker), in order."""

    def __init__(self, state: tuple[Any, ...] | None) -> None:
        self.state = state
        """None: nothing may be reused."""
        self.entries: list[Entry] = []
        self.marks: list[Mark] = []
        self.part_counts: list[int] = []
        self.new_after: int | None = None
        """The read marker whose "new since you left" line is still to come (None: drawn
        above an entry already, or none to draw)."""

    def add(self, entry: Entry, parts: int) -> None:
        self.entries.append(entry)
        self.marks.append(mark(entry))
        self.part_counts.append(parts)

    def unchanged_prefix(self, entries: list[Entry], new_after: int | None) -> int | None:
        """How many of the oldest entries laid out are gone, if the others begin
        `entries` unchanged; None if anything else changed."""
        old = self.entries
        if not old:
            return 0
        if not entries:
            return None
        dropped = 0
        if entries[0] is not old[0]:
            if new_after is not None:  # the "new" line may have gone with them
                return None
            try:
                dropped = old.index(entries[0])  # entries compare by identity
            except ValueError:
                return None
        kept = len(old) - dropped
        if len(entries) < kept or not all(map(is_, entries[:kept], old[dropped:])):
            return None
        if [mark(entry) for entry in entries[:kept]] != self.marks[dropped:]:
            return None
        return dropped

    def drop_oldest(self, count: int) -> tuple[int, int]:
        """Forget the `count` oldest entries: (how many parts they had, how many entries
        are still laid out)."""
        parts = sum(self.part_counts[:count])
        del self.entries[:count], self.marks[:count], self.part_counts[:count]
        return parts, len(self.entries)
