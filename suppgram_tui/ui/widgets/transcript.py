"""A conversation's messages, drawn line by line: only what is on screen is rendered.

Each entry is wrapped once per width and cached; new messages are followed unless the
agent has scrolled up, and reaching the top asks for older history.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from suppgram_tui.inbox import Author, Conversation, Delivery, Entry
from suppgram_tui.inbox.conversation import MAX_KEPT_ENTRIES
from suppgram_tui.text import visible
from suppgram_tui.timetokens import to_datetime

from ..formatting import clock_time

AUTHOR_CLASSES = {
    Author.CUSTOMER: "transcript--customer",
    Author.ME: "transcript--me",
    Author.AGENT: "transcript--agent",
    Author.SYSTEM: "transcript--system",
}
EntryKey = tuple[tuple[str, int | str], int, bool, Delivery | None, str | None]
"""An entry drawn at a width, raw or not, in a delivery state (and with its error)."""


class Transcript(ScrollView, can_focus=True):
    """The open conversation's messages, oldest at the top."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--customer", "transcript--me", "transcript--agent", "transcript--system",
        "transcript--meta", "transcript--error", "transcript--raw",
    }

    class NeedOlder(Message):
        """Scrolled to the top of what is loaded."""

        def __init__(self, channel: str) -> None:
            super().__init__()
            self.channel = channel

    raw_mode: reactive[bool] = reactive(False)
    """Show each message's wire JSON and envelope under it."""

    def __init__(self, *, support_user: str, name: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.support_user = support_user
        self.view: Conversation | None = None
        self._lines: list[Strip] = []
        self._cache: LRUCache[EntryKey, list[Strip]] = LRUCache(4 * MAX_KEPT_ENTRIES)
        """Each entry wrapped once: a whole conversation in both views, with room to spare."""
        self._styled: dict[int, Strip] = {}
        """Lines as drawn (widget style applied, cut to width), until layout or style change."""
        self._end_pending = False
        """A scroll to the newest message waits for the next refresh (the new height)."""
        self._style: Style | None = None
        self._entry_count = 0

    def show(self, view: Conversation | None) -> None:
        """Switch to another conversation, scrolled to its newest message."""
        self.view = view
        self._cache.clear()
        self._relayout(follow=True)
        # stay at the newest message through each layout (not a frame later) until the
        # agent scrolls up; Textual re-anchors when they scroll back to the bottom
        self.anchor()

    def entries_changed(self) -> None:
        """The open conversation gained or changed messages."""
        # following until a scroll to the end is still waiting counts as following: more
        # messages before that refresh must not leave the pane behind
        at_bottom = self._end_pending or self.scroll_y >= self.max_scroll_y - 1
        previous_top_lines = len(self._lines)
        old_first = self._first_entry_id
        self._relayout(follow=at_bottom)
        if not at_bottom and self._first_entry_id != old_first:
            # older history was prepended: keep the agent's place
            self.scroll_to(y=self.scroll_y + len(self._lines) - previous_top_lines,
                           animate=False)

    @property
    def _first_entry_id(self) -> tuple[str, int | str] | None:
        if self.view is None or not self.view.entries:
            return None
        return self.view.entries[0].key

    def watch_raw_mode(self) -> None:
        self._relayout(follow=False)

    def on_resize(self) -> None:
        self._cache.clear()
        self._relayout(follow=self.scroll_y >= self.max_scroll_y - 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styled.clear()
        self._style = None

    def _relayout(self, *, follow: bool) -> None:
        width = max(self.size.width - 1, 10)
        lines: list[Strip] = []
        if self.view is not None:
            console = self.app.console
            entries = self.view.entries
            if self.raw_mode and self.view.set_aside_entries:  # what the converter ignored
                entries = sorted([*entries, *self.view.set_aside_entries])
            for entry in entries:
                key = (entry.key, width, self.raw_mode, entry.delivery, entry.delivery_error)
                rendered = self._cache.get(key)
                if rendered is None:
                    rendered = self._render_entry(entry, width, console)
                    self._cache[key] = rendered
                lines.extend(rendered)
        self._lines = lines
        self._styled.clear()
        self.virtual_size = Size(width, len(lines))
        if follow and not self._end_pending:
            self._end_pending = True
            self.call_after_refresh(self._scroll_to_newest)
        if self.view is not None and self.view.has_older and self.view.entries \
                and len(lines) < self.size.height:
            self.post_message(self.NeedOlder(self.view.channel))  # nothing to scroll yet
        self.refresh()

    def plain_text(self) -> str:
        """Every laid-out line as text (for tests and checks of what an agent sees)."""
        return "\n".join(strip.text for strip in self._lines)

    def _scroll_to_newest(self) -> None:
        self._end_pending = False
        self.scroll_end(animate=False)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        strip = self._styled.get(index)
        if strip is None:  # rich_style and size are computed from the DOM on each access
            if self._style is None:
                self._style = self.rich_style
            width, style = self.size.width, self._style
            if 0 <= index < len(self._lines):
                strip = self._lines[index].apply_style(style).adjust_cell_length(width, style)
            else:
                strip = Strip.blank(width, style)
            self._styled[index] = strip
        return strip

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 < old and self.view is not None and self.view.has_older:
            self.post_message(self.NeedOlder(self.view.channel))

    def _render_entry(self, entry: Entry, width: int, console: Console) -> list[Strip]:
        author_style = self.get_component_rich_style(AUTHOR_CLASSES[entry.author])
        meta_style = self.get_component_rich_style("transcript--meta")
        error_style = self.get_component_rich_style("transcript--error")
        raw_style = self.get_component_rich_style("transcript--raw")

        header = Text(end="")
        # PubNub's timetoken is when it really arrived; a payload's own time can be off
        moment = to_datetime(entry.timetoken) if entry.timetoken else (
            entry.message.time_utc if entry.message else None)
        header.append(clock_time(moment) if moment else "--:--", meta_style)
        header.append("  ")
        header.append(self._author_label(entry), author_style)
        status = _delivery_label(entry)
        if status:
            header.append(f"  {status}", error_style if entry.delivery is Delivery.FAILED
                          else meta_style)
        body: list[Text] = [header]
        if entry.ignored is not None:
            body.append(Text(visible(f"· ignored: {entry.ignored}"), style=meta_style))
        elif entry.undecodable:
            body.append(Text(visible(f"⚠ undecodable: {entry.error}"), style=error_style))
            body.append(Text(visible(entry.raw), style=raw_style))
        elif entry.author is Author.SYSTEM and entry.message is not None:
            label = entry.message.kind.value.replace("_", " ")
            suffix = f": {entry.text}" if entry.text else ""
            body.append(Text(visible(f"— {label}{suffix} —"), style=author_style))
        else:
            body.append(Text(visible(entry.text)))
        if self.raw_mode and (entry.ignored is not None or not entry.undecodable):
            envelope = (f"timetoken={entry.timetoken} publisher={entry.publisher} "
                        f"meta={entry.meta}")
            if entry.custom_message_type is not None:
                envelope += f" custom_message_type={entry.custom_message_type}"
            body.append(Text(visible(envelope), style=raw_style))
            body.append(Text(visible(entry.raw), style=raw_style))
        lines: list[Strip] = []
        for text in body:
            for segments in console.render_lines(text, console.options.update_width(width),
                                                 pad=False):
                lines.append(Strip(segments))
        lines.append(Strip([]))
        return lines

    def _author_label(self, entry: Entry) -> str:
        if entry.author is Author.CUSTOMER or entry.ignored is not None:
            return visible(entry.publisher or "customer", keep_newlines=False)
        if entry.author is Author.ME:
            return "me"
        if entry.author is Author.AGENT:
            return visible(entry.agent_name or "another agent", keep_newlines=False)
        return "system"


def _delivery_label(entry: Entry) -> str:
    if entry.delivery is Delivery.PENDING:
        return "sending…" if not entry.delivery_error else \
            f"retrying: {visible(entry.delivery_error, keep_newlines=False)}"
    if entry.delivery is Delivery.FAILED:
        return f"failed: {visible(entry.delivery_error or '', keep_newlines=False)} (F5 retries)"
    if entry.delivery is Delivery.SENT and entry.author is Author.ME:
        return "✓"
    return ""


