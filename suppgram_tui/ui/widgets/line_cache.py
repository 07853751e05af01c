"""Rendered lines kept by how many there are, not by how many entries hold them.

A transcript entry may wrap to one line or to thousands (a 31 KB message in a narrow
pane): a cache bounded by entries grows with what customers send. This one keeps the
most recently drawn entries up to a total number of lines.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

from textual.strip import Strip

Key = TypeVar("Key", bound=Hashable)


class LineCache(Generic[Key]):
    """Least recently used entries' lines, at most `max_lines` in all (one entry longer
    than that is kept alone, until the next one)."""

    def __init__(self, max_lines: int) -> None:
        self.max_lines = max_lines
        self._items: OrderedDict[Key, list[Strip]] = OrderedDict()
        self.lines = 0
        """Lines held now."""

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key) -> list[Strip] | None:
        lines = self._items.get(key)
        if lines is not None:
            self._items.move_to_end(key)
        return lines

    def put(self, key: Key, lines: list[Strip]) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.lines -= len(old)
        self._items[key] = lines
        self.lines += len(lines)
        while self.lines > self.max_lines and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self.lines -= len(dropped)

    def keep_only(self, keys: Iterable[Key]) -> None:
        """Forget every entry not among `keys` (the ones still shown)."""
        wanted = set(keys)
        for key in [k for k in self._items if k not in wanted]:
            self.lines -= len(self._items.pop(key))

    def drop(self, keys: Iterable[Key]) -> None:
        """Forget these entries (laid out no more)."""
        for key in keys:
            lines = self._items.pop(key, None)
            if lines is not None:
                self.lines -= len(lines)

    def clear(self) -> None:
        self._items.clear()
        self.lines = 0
