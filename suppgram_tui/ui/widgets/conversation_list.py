"""The sidebar: every conversation as two lines, drawn line by line.

A widget per row would not survive 10,000 conversations; this renders only the rows
on screen and caches each row's strips until that conversation changes. A change moves
the rows it concerns (`RowOrder`) and repaints only the lines on screen that now show
something else; a line that moved is not drawn or styled again (`StyledLines`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from suppgram_tui.inbox import Conversation, ConversationFilter
from suppgram_tui.text import one_line

from .conversation_row import render_row, two_sided_line
from .handoff import TypingHandOff
from .row_order import RowOrder, SortKey
from .styled_lines import StyledLines

ROW_HEIGHT = 2
WAITS_REDRAWN_EVERY = 15.0
"""Seconds between redraws of the waiting times, which move with the clock."""
CACHED_ROWS = 1024
"""Rows kept drawn: several screens' worth, whatever the number of conversations."""
MOVES = {"up": -1, "down": 1, "pageup": -10, "pagedown": 10, "home": -1_000_000_000,
         "end": 1_000_000_000}
"""Cursor keys, handled as they come (not as bindings, which the app resolves only once a
key has bubbled up to it, after the keys typed behind it)."""


class ConversationList(ScrollView, can_focus=True):
    """Conversations, the customer who wrote last first, filtered by tab and search.

    Moving the cursor shows a conversation (a preview: nothing is read); Enter or a
    click opens it. Typing, pasting, Enter and Tab hand the keys on to the composer.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-list--cursor", "conversation-list--unread", "conversation-list--dim",
        "conversation-list--online", "conversation-list--badge",
    }

    class Selected(Message):
        """The agent moved to a conversation (`open`: and opened it, Enter or a click).

        The screen answers each with `shown()`, once the conversation is on screen."""

        def __init__(self, channel: str, *, open: bool = False) -> None:
            super().__init__()
            self.channel = channel
            self.open = open

    filter: reactive[ConversationFilter] = reactive(ConversationFilter.ALL)
    """Which tab: new, mine, all or resolved."""
    search: reactive[str] = reactive("")
    """Case-insensitive text to find in channel, customer, tags, assignee or preview."""

    def __init__(self, *, agent_name: str, clock: Callable[[], datetime],
                 name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.agent_name = agent_name
        self.clock = clock
        self.conversations: dict[str, Conversation] = {}
        self._order = RowOrder()
        self._ordinal: dict[str, int] = {}
        """Each conversation's place in the inbox: ties in time keep the inbox's order."""
        self.cursor_channel: str | None = None
        self.highlighted: str | None = None
        """The row drawn with the cursor, which Enter opens."""
        self._cache: LRUCache[tuple[str, int, bool, bool, int], tuple[Strip, Strip]] = \
            LRUCache(CACHED_ROWS)
        """Drawn rows by (channel, version, focused, selected, width): a change bumps the
        version, so stale rows are never hit and age out."""
        self._versions: dict[str, int] = {}
        self._styles: dict[str, Style] = {}
        """Component styles of the rows, looked up once (each lookup walks the DOM)."""
        self._search_cache: dict[str, tuple[tuple[str, int], str]] = {}
        self.handoff = TypingHandOff(self)
        """Where typed keys go: its `target` is set by the screen (the composer)."""
        self._start: str | None = None
        self._styled = StyledLines(self)
        self._on_screen: dict[int, Hashable] = {}
        """What each line on screen shows (its key), as last drawn."""

    @property
    def rows(self) -> list[str]:
        """The channels listed, in order (read only)."""
        return self._order.channels

    # data ----------------------------------------------------------------------------

    def bind(self, conversations: dict[str, Conversation], *,
             start: str | None = None) -> None:
        """Show `conversations`, the cursor on `start` if listed (else on the first)."""
        self.conversations = conversations
        self._start = start
        self.rebuild()

    def touch(self, channels: set[str], *, resort: bool = True) -> None:
        """These conversations changed: drop their cached rows and, unless nothing that
        orders or filters the list changed, move them to where they now belong."""
        for channel in channels:
            self._versions[channel] = self._versions.get(channel, 0) + 1
        if resort:
            self.reorder(channels)
        else:
            self._repaint_changed()

    def rebuild(self) -> None:
        """Filter and sort every conversation (a new tab, search or inbox)."""
        # reactives cost a lookup per read: read them once, not once per conversation
        tab, needle = self.filter, self.search.casefold()
        self._ordinal = {channel: place for place, channel in enumerate(self.conversations)}
        self._order = RowOrder((self._sort_key(view), view.channel)
                               for view in self.conversations.values()
                               if self._matches(view, tab, needle))
        self._changed(repaint_all=True)

    def reorder(self, channels: set[str]) -> None:
        """Move only these conversations: in, out or along the list."""
        tab, needle = self.filter, self.search.casefold()
        for channel in channels:
            view = self.conversations.get(channel)
            if view is not None and self._matches(view, tab, needle):
                self._order.place(channel, self._sort_key(view))
            else:
                self._order.drop(channel)
        self._changed(repaint_all=False)

    def _sort_key(self, view: Conversation) -> SortKey:
        place = self._ordinal.get(view.channel)
        if place is None:  # new since the last rebuild: after every other, as in the inbox
            place = self._ordinal[view.channel] = len(self._ordinal)
        return (-(view.last_customer_message or view.last_activity), place)

    def _changed(self, *, repaint_all: bool) -> None:
        height = len(self.rows) * ROW_HEIGHT
        if self.virtual_size.height != height or self.virtual_size.width != self.size.width:
            self.virtual_size = Size(self.size.width, height)
        if self.cursor_channel is None and self.rows:
            # only the very first time: never switch away from an open conversation because
            # another agent changed it or it left this tab (a reply would go astray)
            self.cursor_channel = self._start if self._start in self.rows else self.rows[0]
            self._ask(self.Selected(self.cursor_channel))
        self._rehighlight()
        if repaint_all:
            self.refresh()
        else:
            self._repaint_changed()

    def _matches(self, view: Conversation, tab: ConversationFilter, needle: str) -> bool:
        if not tab.matches(view, self.agent_name):
            return False
        if needle:
            return needle in self._haystack(view)
        return True

    def _haystack(self, view: Conversation) -> str:
        """Everything searchable in a conversation, folded once per change."""
        key = (view.channel, self._versions.get(view.channel, 0))
        cached = self._search_cache.get(view.channel)
        if cached is None or cached[0] != key:
            text = " ".join([view.channel, view.customer_id or "", view.customer_name or "",
                             view.assignee or "",
                             *view.tags, *(entry.text[:2000] for entry in view.entries)])
            cached = (key, text.casefold())
            self._search_cache[view.channel] = cached
        return cached[1]

    def watch_filter(self) -> None:
        self.rebuild()

    def watch_search(self) -> None:
        self.rebuild()

    # navigation ----------------------------------------------------------------------

    def _rehighlight(self) -> None:
        """The row the cursor is on; the first row when a search or tab hid the cursor's
        (computed once per change: rows are drawn line by line)."""
        if self.cursor_channel in self.rows:
            self.highlighted = self.cursor_channel
        else:
            self.highlighted = self.rows[0] if self.rows else None

    @property
    def cursor_index(self) -> int:
        return self._order.index(self.highlighted) if self.highlighted else -1

    def select(self, channel: str, *, open: bool = False) -> None:
        if channel in self._order:
            self.cursor_channel = self.highlighted = channel
            self._scroll_to_cursor()
            self._repaint_changed()
            self._ask(self.Selected(channel, open=open))

    def action_cursor(self, step: int) -> None:
        if not self.rows:
            return
        index = min(max(self.cursor_index + step, 0), len(self.rows) - 1)
        self.select(self.rows[index])

    def action_open(self) -> None:
        """Open the highlighted conversation and put the cursor in the composer."""
        if (channel := self.highlighted) is not None:
            self.select(channel, open=True)
        self.handoff.start()

    def _ask(self, message: Selected) -> None:
        self.handoff.asked()
        self.post_message(message)

    def shown(self) -> None:
        """The screen has handled a `Selected`: keys held for it may go on."""
        self.handoff.shown()

    def select_next_unread(self) -> bool:
        """Move to the next conversation with unread messages after the cursor, wrapping;
        False if there is none."""
        start = self.cursor_index + 1
        for offset in range(len(self.rows)):
            channel = self.rows[(start + offset) % len(self.rows)]
            if self.conversations[channel].unread:
                self.select(channel)
                return True
        return False

    def _scroll_to_cursor(self) -> None:
        index = self.cursor_index
        if index < 0:
            return
        top = index * ROW_HEIGHT
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
        elif top + ROW_HEIGHT > self.scroll_y + self.size.height:
            self.scroll_to(y=top + ROW_HEIGHT - self.size.height, animate=False)

    def on_key(self, event: events.Key) -> None:
        if self.handoff.forwarding:  # a burst is on its way to the composer: all of it
            self.handoff.forward(event)
        elif event.key in MOVES:
            event.stop()
            self.action_cursor(MOVES[event.key])
        elif event.key == "enter":
            event.stop()
            self.action_open()
        elif event.key == "tab" and self.handoff.start():
            event.stop()
            event.prevent_default()
        elif event.is_printable:
            self.handoff.start(event)

    def on_paste(self, event: events.Paste) -> None:
        if self.handoff.forwarding:
            self.handoff.forward(event)
        else:
            self.handoff.start(event)

    def on_idle(self) -> None:
        self.handoff.idle()

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_y) + event.y) // ROW_HEIGHT
        if 0 <= index < len(self.rows):
            self.select(self.rows[index], open=True)

    # rendering -----------------------------------------------------------------------

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
