"""Drawn lines freed by reference counting, not left for the collector.

Two of Textual's caches leave reference cycles behind, and every line the console draws
passed through one of them:

- `Strip` caches the answers of `divide` and `crop_extend` on the strip itself. When
  the answer is the strip (a cut at its own length, a crop of all of it), the strip
  refers to itself. The compositor divides every line it draws, and nearly every line
  is left whole.
- `LRUCache` is a ring of linked lists; `clear()` drops the ring whole, a cycle holding
  every line it cached. Line caches are cleared on each edit (the composer's TextArea),
  restyle and resize.

The console makes full collections rare (what startup loaded is frozen, `ui/app.py`),
so under a 500 msg/s burst those cycles waited for one: ~100 blocks a message, RSS 153
-> 283 MB, and a full collection then freed half the blocks (bench/scale.py, see
bench/RESULTS.md). Here the strip's own answers are not cached (they cost nothing to
give again) and a cleared ring is unlinked first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

_textual_divide = Strip.divide
_textual_crop_extend = Strip.crop_extend
_textual_clear = LRUCache.clear


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = [cut for cut in cuts if cut <= self.cell_length]
    if cuts == [self.cell_length]:
        return [self]
    return _textual_divide(self, cuts)


def _crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return _textual_crop_extend(self, start, end, style)


def _clear(self: LRUCache) -> None:
    for link in self._cache.values():
        link.clear()
    _textual_clear(self)


def free_drawn_lines() -> None:
    """Install the cycle-free answers (once; calling again changes nothing)."""
    Strip.divide = _divide  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend  # type: ignore[method-assign]
    LRUCache.clear = _clear  # type: ignore[method-assign]
