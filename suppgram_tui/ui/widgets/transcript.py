"""A conversation's messages, drawn line by line: only what is on screen is rendered.

Each entry's height is counted once per width (and kept for as long as the entry is),
without drawing it; lines are drawn only when on screen and cached by how many lines
they are, so a flood of long messages costs the heights of what is kept and a bounded
number of lines. New messages are followed
unless the agent has scrolled up, and reaching the top asks for older history.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from suppgram_tui.inbox import Author, Conversation, Delivery, Entry
from suppgram_tui.text import visible

from .handoff import TypingHandOff
from .line_cache import LineCache
from .styled_lines import StyledLines
from .transcript_entry import EntryStyles, height_of, lines_of, message_texts, wire_texts
from .transcript_layout import LaidOut

AUTHOR_CLASSES = {
    Author.CUSTOMER: "transcript--customer",
    Author.ME: "transcript--me",
    Author.AGENT: "transcript--agent",
    Author.SYSTEM: "transcript--system",
}
PartKind = Literal["message", "wire", "gap", "new", "seen"]
PartKey = tuple[tuple[str, int | str], PartKind, int, Delivery | None, str | None, int]
"""One part of an entry drawn at a width, in a delivery state (and with its error), at
a revision (edits, deletes and reactions applied)."""
MAX_CACHED_LINES = 5000
"""Rendered lines kept: several screens, and the longest message at the narrowest width."""
_GAP = [Strip([])]
NEW_SINCE = " new since you left "
"""The line above the first message after the agent's read marker."""
READ_BY = "✓ read by "
"""Under the newest reply the customer's Chat SDK app says they have read."""


class Transcript(ScrollView, can_focus=True):
    """The open conversation's messages, oldest at the top."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--customer", "transcript--me", "transcript--agent", "transcript--system",
        "transcript--meta", "transcript--error", "transcript--raw", "transcript--new",
    }

    class NeedOlder(Message):
        """Scrolled to the top of what is loaded."""

        def __init__(self, channel: str) -> None:
            super().__init__()
            self.channel = channel

    raw_mode: reactive[bool] = reactive(False)
    """Show each message's wire JSON and envelope under it (a preview of each)."""

    def __init__(self, *, support_user: str, name: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.support_user = support_user
        self.view: Conversation | None = None
        self._parts: list[tuple[Entry, PartKind, PartKey]] = []
        """What is laid out, top to bottom: each entry's message, wire view and gap."""
        self._starts: list[int] = []
        """The first line of each part."""
        self.line_count = 0
        self._heights: dict[PartKey, int] = {}
        """Lines of each part laid out now: only of the entries the conversation keeps."""
        self._lines = LineCache[PartKey](MAX_CACHED_LINES)
        self._styled = StyledLines(self)
        """Lines as drawn, kept by what they show: a new message scrolls the others up
        without drawing them again."""
        self._end_pending = False
        """A scroll to the newest message waits for the next refresh (the new height)."""
        self._style: Style | None = None
        self._entry_styles: dict[Author, EntryStyles] = {}
        self._laid_out_width = 0
        self._laid = LaidOut(None)
        """Which entries the parts are of: a message added lays out only itself."""
        self._seen: tuple[Entry | None, str] = (None, "")
        """The reply the customer has read up to, and their name (`_read_by`)."""
        self.new_after: int | None = None
        """The read marker the agent left this conversation at: "new since you left"
        goes above the first message after it (None: no such line)."""
        self.handoff = TypingHandOff(self)
        """Text typed or pasted here goes to `handoff.target` (the composer), if set."""

    def show(self, view: Conversation | None, *, new_after: int | None = None) -> None:
        """Switch to another conversation, scrolled to its newest message."""
        self.view = view
        self.new_after = new_after
        self._relayout(follow=True)
        # stay at the newest message through each layout (not a frame later) until the
        # agent scrolls up; Textual re-anchors when they scroll back to the bottom
        self.anchor()

    def entries_changed(self) -> None:
        """The open conversation gained or changed messages."""
        # following until a scroll to the end is still waiting counts as following: more
        # messages before that refresh must not leave the pane behind
        at_bottom = self._end_pending or self.scroll_y >= self.max_scroll_y - 1
        previous_top_lines = self.line_count
        old_first = self._first_entry_id
        self._relayout(follow=at_bottom)
        if not at_bottom and self._first_entry_id != old_first:
            # older history was prepended: keep the agent's place
            self.scroll_to(y=self.scroll_y + self.line_count - previous_top_lines,
                           animate=False)

    def mark_new(self, after: int | None) -> None:
        """Draw "new since you left" above the first message after `after`."""
        self.new_after = after
        self._relayout(follow=self._end_pending or self.scroll_y >= self.max_scroll_y - 1)

    def page(self, step: int) -> None:
        """A page up (-1) or down (1): PgUp/PgDn in the reply box below read back."""
        if step < 0:
            self.scroll_page_up(animate=False)
        else:
            self.scroll_page_down(animate=False)

    def on_key(self, event: events.Key) -> None:
        if self.handoff.forwarding:
            self.handoff.forward(event)
        elif event.is_printable:
            self.handoff.start(event)

    def on_paste(self, event: events.Paste) -> None:
        if self.handoff.forwarding:
            self.handoff.forward(event)
        else:
            self.handoff.start(event)

    def on_idle(self) -> None:
        self.handoff.idle()

    @property
    def _first_entry_id(self) -> tuple[str, int | str] | None:
        if self.view is None or not self.view.entries:
            return None
        return self.view.entries[0].key

    @property
    def cached_lines(self) -> int:
        """Rendered lines held (bounded by MAX_CACHED_LINES, whatever the traffic)."""
        return self._lines.lines + len(self._styled)

    @property
    def measured_parts(self) -> int:
        """Heights held: one per part laid out, so at most three per kept entry."""
        return len(self._heights)

    def entry_on_screen(self) -> Entry | None:
        """The newest message with a line on screen: the one F7 inspects."""
        if not self._parts:
            return None
        bottom = min(int(self.scroll_y) + self.size.height, self.line_count) - 1
        return self._parts[max(bisect_right(self._starts, max(bottom, 0)) - 1, 0)][0]

    def entries_on_screen(self) -> list[Entry]:
        """The messages with a line on screen, newest first."""
        if not self._parts:
            return []
        top = int(self.scroll_y)
        bottom = min(top + self.size.height, self.line_count) - 1
        first = max(bisect_right(self._starts, max(top, 0)) - 1, 0)
        last = max(bisect_right(self._starts, max(bottom, 0)) - 1, 0)
        seen: list[Entry] = []
        for entry, _, _ in reversed(self._parts[first:last + 1]):
            if not seen or seen[-1] is not entry:
                seen.append(entry)
        return seen

    def watch_raw_mode(self) -> None:
        """The wire view changes every message's height: the message at the top stays at
        the top (at the newest, the pane stays there: `_relayout`)."""
        following = self.scroll_y >= self.max_scroll_y - 1
        top = self._entry_at(int(self.scroll_y))
        self._relayout(follow=False)
        if top is not None and not following:
            start = next((self._starts[part] for part, (entry, _, _)
                          in enumerate(self._parts) if entry is top), None)
            if start is not None:
                self.scroll_to(y=start, animate=False)

    def _entry_at(self, line: int) -> Entry | None:
        if not self._parts or not 0 <= line < self.line_count:
            return None
        return self._parts[bisect_right(self._starts, line) - 1][0]

    def on_resize(self) -> None:
        self._relayout(follow=self.scroll_y >= self.max_scroll_y - 1)

    def on_show(self) -> None:
        """Laid out while hidden (the empty state), it had no width: lay out again."""
        if self._laid_out_width != self._text_width():
            self._relayout(follow=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styled.clear()
        self._lines.clear()
        self._entry_styles.clear()
        self._style = None

    def _text_width(self) -> int:
        """The content width less the vertical scrollbar's, whether it shows yet or not:
        laid out wider, each wrapped line lost its last character once the conversation
        grew a scrollbar."""
        return max(self.size.width - self.styles.scrollbar_size_vertical, 10)

    def _relayout(self, *, follow: bool) -> None:
        if not self.size.width:  # hidden (the empty state shows): laid out once shown
            self._laid_out_width = 0
            return
        width = self._laid_out_width = self._text_width()
        entries = self.view.entries if self.view is not None else []
        if self.raw_mode and self.view is not None and self.view.set_aside_entries:
            entries = sorted([*entries, *self.view.set_aside_entries])  # what was ignored
        self._seen = self._read_by()
        if not self._lay_out_new(entries, width):
            old_heights = self._heights
            self._parts, self._starts, self._heights = [], [], {}
            self._laid = LaidOut(self._layout_state(width))
            self.line_count = self._lay_out(entries, 0, self.new_after, old_heights)
            self._lines.keep_only(self._heights)  # entries dropped or redrawn differently go
        line = self.line_count
        # no layout to scroll it (nor to keep an anchored pane at its end, as Textual's
        # layout does: the agent at the newest message stays there through F2): now
        if self._grow(Size(width, line)) and (
                follow or self._anchored and not self._anchor_released):
            self._scroll_to(None, self.max_scroll_y, animate=False, release_anchor=False)
        elif follow and not self._end_pending:
            self._end_pending = True
            self.call_after_refresh(self._scroll_to_newest)
        if self.view is not None and self.view.has_older and self.view.entries \
                and line < self.size.height:
            self.post_message(self.NeedOlder(self.view.channel))  # nothing to scroll yet
        self.refresh()

    def _grow(self, size: Size) -> bool:
        """Set the scrollable size; while the scrollbar shows before and after (always,
        with `overflow-y: scroll`), without a screen layout (Textual's `virtual_size`
        asks for one, and nothing around a `1fr` pane depends on its length): the
        scrollbar is told, the new lines repaint. True if so (no layout will scroll an
        anchored pane to its end)."""
        if size == self.virtual_size:
            return False
        overflow = self.styles.overflow_y
        scrollbar_stays = overflow == "scroll" or (
            overflow == "auto" and size.height > self.container_size.height)
        if self.is_mounted and size.width == self.virtual_size.width \
                and self.show_vertical_scrollbar and scrollbar_stays:
            self.set_reactive(Transcript.virtual_size, size)
            self._scroll_update(size)
            return True
        self.virtual_size = size
        return False

    def _lay_out_new(self, entries: list[Entry], width: int) -> bool:
        """Lay out only what changed when messages were only added at the end (and the
        oldest forgotten): False if anything else changed (a full layout is needed)."""
        laid = self._laid
        if laid.state != self._layout_state(width) or self.raw_mode:
            return False
        dropped = laid.unchanged_prefix(entries, self.new_after)
        if dropped is None:
            return False
        parts_dropped, kept = laid.drop_oldest(dropped)
        if parts_dropped:
            lines_dropped = self._starts[parts_dropped] if parts_dropped < len(self._starts) \
                else self.line_count
            gone = [key for _, _, key in self._parts[:parts_dropped]]
            for key in gone:
                self._heights.pop(key, None)
            self._lines.drop(gone)
            del self._parts[:parts_dropped]
            self._starts = [start - lines_dropped for start in self._starts[parts_dropped:]]
            self.line_count -= lines_dropped
        self.line_count = self._lay_out(entries[kept:], self.line_count, laid.new_after,
                                        self._heights)
        return True

    def _layout_state(self, width: int) -> tuple[object, ...]:
        """What every part's layout depends on beyond its own entry: when it changes (the
        customer read further, say), everything is laid out again."""
        seen, reader = self._seen
        return (width, self.raw_mode, self.new_after, seen.key if seen else None, reader)

    def _lay_out(self, entries: list[Entry], line: int, new_after: int | None,
                 old_heights: dict[PartKey, int]) -> int:
        """Append `entries`' parts after `line` (heights counted before are taken from
        `old_heights`); the line after them."""
        width, laid = self._laid_out_width, self._laid
        parts, starts, heights = self._parts, self._starts, self._heights
        seen, reader = self._seen
        for entry in entries:
            wire = self.raw_mode and (not entry.undecodable or entry.ignored is not None)
            kinds: tuple[PartKind, ...] = ("message", "wire", "gap") if wire \
                else ("message", "gap")
            if entry is seen:
                kinds = (*kinds[:-1], "seen", "gap")
            if new_after is not None and entry.timetoken is not None \
                    and entry.timetoken > new_after:
                kinds, new_after = ("new", *kinds), None
            for kind in kinds:
                key: PartKey = (entry.key, kind, width, entry.delivery,
                                reader if kind == "seen" else entry.delivery_error,
                                entry.revision)
                height = 1 if kind in ("gap", "new", "seen") else old_heights.get(key)
                if height is None:  # counted, not drawn: most of a flood is never seen
                    texts = self._texts(entry, kind)
                    height = height_of(texts, width)
                    if height is None:
                        height = len(self._draw_part(entry, kind, key))
                heights[key] = height
                parts.append((entry, kind, key))
                starts.append(line)
                line += height
            laid.add(entry, len(kinds))
        laid.new_after = new_after
        return line

    def _read_by(self) -> tuple[Entry | None, str]:
        """The newest agent reply at or before the customer's read position, and what to
        call the customer: only a reply being read tells the agent anything."""
        view = self.view
        if view is None or not view.customer_read:
            return None, ""
        for entry in reversed(view.entries):
            if entry.timetoken is not None and entry.timetoken <= view.customer_read \
                    and entry.author in (Author.ME, Author.AGENT):
                return entry, visible(view.customer_label or "the customer",
                                      keep_newlines=False)[:60]
        return None, ""

    def _texts(self, entry: Entry, kind: PartKind) -> list[Text]:
        styles = self._styles_for(entry.author)
        return message_texts(entry, styles) if kind == "message" else wire_texts(entry, styles)

    def _draw_part(self, entry: Entry, kind: PartKind, key: PartKey) -> list[Strip]:
        if kind == "gap":
            return _GAP
        if kind == "new":
            rule = "─" * max(0, (key[2] - len(NEW_SINCE)) // 2)
            style = self.get_component_rich_style("transcript--new")
            return [Strip([Segment(f"{rule}{NEW_SINCE}{rule}", style)])]
        if kind == "seen":
            style = self.get_component_rich_style("transcript--meta")
            return [Strip([Segment(f"{READ_BY}{key[4]}", style)])]
        lines = lines_of(self._texts(entry, kind), key[2], self.app.console)
        self._lines.put(key, lines)
        if self._heights.get(key, len(lines)) != len(lines):  # never seen, but be sure
            self._heights[key] = len(lines)
            self._laid = LaidOut(None)  # the starts after it moved: lay out everything
            self.call_after_refresh(self._relayout, follow=self._end_pending
                                    or self.scroll_y >= self.max_scroll_y - 1)
        return lines

    def _part_lines(self, part: int) -> list[Strip]:
        entry, kind, key = self._parts[part]
        return self._lines.get(key) or self._draw_part(entry, kind, key)

    def _styles_for(self, author: Author) -> EntryStyles:
        styles = self._entry_styles.get(author)
        if styles is None:
            styles = self._entry_styles[author] = EntryStyles(
                author=self.get_component_rich_style(AUTHOR_CLASSES[author]),
                meta=self.get_component_rich_style("transcript--meta"),
                error=self.get_component_rich_style("transcript--error"),
                raw=self.get_component_rich_style("transcript--raw"))
        return styles

    def plain_text(self) -> str:
        """Every laid-out line as text (for tests and checks of what an agent sees)."""
        return "\n".join(strip.text for part in range(len(self._parts))
                         for strip in self._part_lines(part))

    def _scroll_to_newest(self) -> None:
        self._end_pending = False
        self.scroll_end(animate=False)

    def render_lines(self, crop: Region) -> list[Strip]:
        top, width = int(self.scroll_y), self.size.width

        def line(y: int) -> tuple[Hashable, Callable[[], Strip]]:
            return self._line_key(top + y, width), lambda: self.render_line(y)

        strips = self._styled.render_lines(crop, line)
        return super().render_lines(crop) if strips is None else strips

    def _line_key(self, index: int, width: int) -> Hashable:
        """What line `index` shows: its part (entry, kind, state, width) and its offset."""
        if not 0 <= index < self.line_count:
            return ("blank", width)
        part = bisect_right(self._starts, index) - 1
        return (self._parts[part][2], index - self._starts[part], width)

    def render_line(self, y: int) -> Strip:
        if self._style is None:  # rich_style is computed from the DOM on each access
            self._style = self.rich_style
        width, style = self.size.width, self._style
        line = self._line(int(self.scroll_y) + y)
        return Strip.blank(width, style) if line is None else \
            line.apply_style(style).adjust_cell_length(width, style)

    def _line(self, index: int) -> Strip | None:
        if not 0 <= index < self.line_count:
            return None
        part = bisect_right(self._starts, index) - 1
        lines = self._part_lines(part)
        offset = index - self._starts[part]
        return lines[offset] if offset < len(lines) else None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 < old and self.view is not None and self.view.has_older:
            self.post_message(self.NeedOlder(self.view.channel))
