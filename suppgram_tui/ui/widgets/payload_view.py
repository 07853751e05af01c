"""A long text shown whole, hard-wrapped and drawn a line at a time.

A payload can be a single JSON line of hundreds of KB: Rich's word wrap over all of it
takes a noticeable time on every width, so lines are cut at the width by slicing and
only the rows on screen become strips.
"""

from __future__ import annotations

from rich.cells import chop_cells
from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

CHOP_BY_CELLS_UP_TO = 50_000
"""Characters of a non-ASCII line cut by cell width; a longer one is cut every
width // 2 characters (a character is at most two cells), which never overflows."""


def wrap(line: str, width: int) -> list[str]:
    """`line` as rows of at most `width` cells."""
    if len(line) <= width and line.isascii():
        return [line]
    if line.isascii():
        return [line[i:i + width] for i in range(0, len(line), width)]
    if len(line) <= CHOP_BY_CELLS_UP_TO:
        return chop_cells(line, width) or [""]
    step = max(width // 2, 1)
    return [line[i:i + step] for i in range(0, len(line), step)]


class PayloadView(ScrollView, can_focus=True):
    """Plain text (already made visible by the caller), scrolled with the usual keys."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text_lines = text.expandtabs(4).split("\n")
        self._rows: list[str] = []
        self._width = 0

    def show(self, text: str) -> None:
        """Another text, from its top."""
        self._text_lines = text.expandtabs(4).split("\n")
        self._width = 0
        self._layout_rows()
        self.scroll_home(animate=False)

    @property
    def rows(self) -> list[str]:
        """The text as laid out at the current width (for tests)."""
        return self._rows

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)  # a jump through thousands of rows, not a glide

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def on_resize(self) -> None:
        self._layout_rows()

    def _layout_rows(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        if width == self._width:
            return
        self._width = width
        self._rows = [row for line in self._text_lines for row in wrap(line, width)]
        self.virtual_size = Size(width, len(self._rows))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        style = self.rich_style
        if not 0 <= index < len(self._rows):
            return Strip.blank(self.size.width, style)
        return Strip([Segment(self._rows[index], style)]).adjust_cell_length(
            self.size.width, style)
