"""The sidebar: every conversation as two lines, drawn line by line.

A widget per row would not survive 10,000 conversations: this is one line-API widget
(its drawing in `DrawnRows`). A change moves the rows it concerns (`RowOrder`) and
repaints only the lines on screen that now show something else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive

from suppgram_tui.inbox import Conversation, ConversationFilter

from ..frame_pacing import FramesHeld
from .drawn_rows import ROW_HEIGHT, DrawnRows
from .handoff import TypingHandOff
from .row_order import RowOrder, SortKey

MOVES = {"up": -1, "down": 1, "pageup": -10, "pagedown": 10, "home": -1_000_000_000,
         "end": 1_000_000_000}
"""Cursor keys, handled as they come (not as bindings, which the app resolves only once a
key has bubbled up to it, after the keys typed behind it)."""


class ConversationList(DrawnRows, can_focus=True):
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
        self._search_cache: dict[str, tuple[tuple[str, int], str]] = {}
        self.handoff = TypingHandOff(self)
        """Where typed keys go: its `target` is set by the screen (the composer)."""
        self._start: str | None = None
        self._frames_held = FramesHeld(self)
        """From a cursor move until the screen shows its conversation: one frame for both."""

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
        """Move the cursor to `channel` and ask the screen to show it. The list scrolls
        and repaints the cursor once the screen has (`shown`): drawn now, they made a
        frame of their own before the new conversation's, and the key's effect waited
        for the second."""
        if channel in self._order:
            self.cursor_channel = self.highlighted = channel
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
        self._frames_held.hold()
        self.post_message(message)

    def shown(self) -> None:
        """The screen has handled a `Selected`: the cursor is drawn in the same frame as
        the conversation, and keys held for it may go on."""
        self._scroll_to_cursor()
        self._repaint_changed()
        self.handoff.shown()
        self._frames_held.release()

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
