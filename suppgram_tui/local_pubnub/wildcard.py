"""`LIKE` patterns with `*` wildcards, matched in linear time, ignoring case.

Both filter languages take them (subscribe `filter-expr`, App Context `filter=`), and a
client writes them. Compiled to a regular expression, `*a*a*a*a*a*a*a` backtracks in
time that grows with the length of the value to the power of its stars, on the
server's one event loop. Here the literal pieces between the stars are looked for left
to right instead, each search starting where the previous piece ended: the leftmost
place for each piece is always a safe choice, so nothing is ever tried twice.
"""

from __future__ import annotations

import functools


class Wildcard:
    """A compiled `LIKE` pattern."""

    def __init__(self, pieces: list[str]) -> None:
        """`pieces`: the literal text around and between the stars (`a*b` → a, b)."""
        self._pieces = [piece.lower() for piece in pieces]

    def matches(self, value: str) -> bool:
        text = value.lower()
        if len(self._pieces) == 1:
            return text == self._pieces[0]
        first, *middle, last = self._pieces
        if not text.startswith(first):
            return False
        position = len(first)
        for piece in middle:
            found = text.find(piece, position)
            if found < 0:
                return False
            position = found + len(piece)
        return len(text) - position >= len(last) and text.endswith(last)


@functools.lru_cache(maxsize=256)
def like(pattern: str) -> Wildcard:
    """Every `*` a wildcard (the subscribe filter language has no escape for it)."""
    return Wildcard(pattern.split("*"))
