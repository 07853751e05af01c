"""How the sidebar's list draws: rows cached until their conversation changes, lines
styled once per what they show, and only the lines on screen that changed repainted.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from suppgram_tui.inbox import Conversation, ConversationFilter
from suppgram_tui.text import one_line

from .conversation_row import render_row, two_sided_line
from .styled_lines import StyledLines

ROW_HEIGHT = 2
WAITS_REDRAWN_EVERY = 15.0
"""Seconds between redraws of the waiting times, which move with the clock."""
CACHED_ROWS = 1024
"""Rows kept drawn: several screens' worth, whatever the number of conversations."""


class DrawnRows(ScrollView):
    """The drawing half of `ConversationList`, which keeps what these read."""

    conversations: dict[str, Conversation]
    highlighted: str | None
    clock: Callable[[], datetime]
    filter: ConversationFilter
    search: str

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._cache: LRUCache[tuple[str, int, bool, bool, int], tuple[Strip, Strip]] = \
            LRUCache(CACHED_ROWS)
        """Drawn rows by (channel, version, focused, selected, width): a change bumps the
        version, so stale rows are never hit and age out."""
        self._versions: dict[str, int] = {}
        self._styles: dict[str, Style] = {}
        """Component styles of the rows, looked up once (each lookup walks the DOM)."""
        self._styled = StyledLines(self)
        self._on_screen: dict[int, Hashable] = {}
        """What each line on screen shows (its key), as last drawn."""

    @property
    def rows(self) -> list[str]:
        """The channels listed, in order (kept by `ConversationList`)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.set_interval(WAITS_REDRAWN_EVERY, self.refresh_waits)

    def on_focus(self) -> None:
        self.refresh()  # the cursor row is brighter while the list has focus

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._cache.clear()
        self._styled.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) * ROW_HEIGHT)

    def notify_style_update(self) -> None:
        """Focus, theme or CSS changed: rows drawn with the old styles are stale."""
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()
        self._styled.clear()
        self._on_screen.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style if name == "base" else \
                self.get_component_rich_style(name, partial=name != "conversation-list--cursor")
        return style

    def _line_key(self, line: int, width: int) -> Hashable:
        """What line `line` of the whole list shows (not where): equal keys, equal lines."""
        index, part = divmod(line, ROW_HEIGHT)
        rows = self.rows
        if index >= len(rows):
            if not rows and line == 0:
                return ("empty", self.search, self.filter, bool(self.conversations), width)
            return ("blank", width)
        channel = rows[index]
        selected = channel == self.highlighted
        return (channel, self._versions.get(channel, 0), selected and self.has_focus,
                selected, width, part)

    def render_lines(self, crop: Region) -> list[Strip]:
        top = int(self.scroll_y)
        width = self.scrollable_content_region.width
        on_screen = self._on_screen

        def line(y: int) -> tuple[Hashable, Callable[[], Strip]]:
            key = on_screen[y] = self._line_key(top + y, width)
            return key, lambda: self.render_line(y)

        strips = self._styled.render_lines(crop, line)
        if strips is None:  # styles this cache does not handle: Textual's own path
            on_screen.clear()
            return super().render_lines(crop)
        return strips

    def _repaint_changed(self) -> None:
        """Repaint the lines on screen that now show something else than when drawn."""
        height = self.size.height
        if not self._on_screen or not height:
            self.refresh()
            return
        top, width = int(self.scroll_y), self.scrollable_content_region.width
        changed = [y for y in range(height)
                   if self._on_screen.get(y) != self._line_key(top + y, width)]
        region_width = max(self.virtual_size.width, self.size.width)
        start = 0
        for at, y in enumerate(changed):  # one region per run of changed lines
            if at + 1 == len(changed) or changed[at + 1] != y + 1:
                self.refresh(Region(0, changed[start], region_width, y - changed[start] + 1))
                start = at + 1

    def render_line(self, y: int) -> Strip:
        scroll_y = int(self.scroll_y)
        index, part = divmod(scroll_y + y, ROW_HEIGHT)
        width = self.scrollable_content_region.width  # left of the scrollbar, if shown
        if index >= len(self.rows):
            if not self.rows and scroll_y + y == 0:
                return self._empty_line(width)
            return Strip.blank(width, self.rich_style)
        channel = self.rows[index]
        selected = channel == self.highlighted
        key = (channel, self._versions.get(channel, 0), selected and self.has_focus, selected,
               width)
        strips = self._cache.get(key)
        if strips is None:
            strips = self._render_row(self.conversations[channel], selected, width)
            self._cache[key] = strips
        return strips[part]

    def _empty_line(self, width: int) -> Strip:
        if self.search:
            note = f"No conversation matches “{one_line(self.search, 40)}”."
        elif self.conversations:
            note = f"No conversations under {self.filter.label}."
        else:
            note = "No conversations yet."
        dim = self.get_component_rich_style("conversation-list--dim")
        return two_sided_line(Text(note, style=dim), Text(""), width, self.rich_style,
                              self.app.console)

    def plain_rows(self) -> list[str]:
        """The lines on screen as text (for tests and checks of what an agent sees)."""
        return [self.render_line(y).text for y in range(self.size.height)]

    def refresh_waits(self) -> None:
        """Waiting times move with the clock: redraw the visible rows."""
        self._cache.clear()
        self._styled.clear()
        self.refresh()

    def _render_row(self, view: Conversation, selected: bool,
                    width: int) -> tuple[Strip, Strip]:
        return render_row(view, self._style, selected=selected, width=width,
                          now=self.clock(), console=self.app.console)
