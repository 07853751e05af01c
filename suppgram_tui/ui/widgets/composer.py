"""Where the agent writes: Enter sends, Ctrl+J or Alt+Enter starts a new line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from suppgram_tui.text import one_line, visible

from .focus_move import move_focus_in_order, pass_on_queued_keys
from .in_order import run_own_binding

PAGE_KEYS = {"pageup": -1, "pagedown": 1}
"""PgUp/PgDn in the reply box page the conversation above it (as in irssi or WeeChat): a
box of a few lines has no pages of its own, and the agent reads back while writing."""


class Composer(TextArea):
    """A multi-line reply box with `/name` canned replies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,alt+enter,shift+enter", "newline", "New line", show=False),
        Binding("tab", "expand_canned", "Insert canned reply", show=False),
    ]

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Typing(Message):
        """The agent typed something (for the typing indicator)."""

    class Page(Message):
        """PgUp (-1) or PgDn (1) was pressed here: the conversation pane pages."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class UnknownCanned(Message):
        """`/name` was sent but no canned reply has that name."""

        def __init__(self, name: str, known: list[str]) -> None:
            super().__init__()
            self.name = name
            self.known = known
            """The names that are saved."""

        @property
        def explanation(self) -> str:
            starting = sorted(n for n in self.known if n.startswith(self.name))
            if len(starting) > 1:
                names = ", ".join(f"/{name}" for name in starting)
                return f"Which one? {names} all start /{one_line(self.name, 30)}."
            names = ", ".join(f"/{name}" for name in sorted(self.known))
            known = f" Saved ones: {names}." if names else " None are saved yet."
            return f"No canned reply is named /{one_line(self.name, 30)}; nothing was sent.{known}"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         placeholder="Reply… Enter sends · Ctrl+J or Alt+Enter: new line · "
                                     "/name inserts a canned reply")
        self.canned: dict[str, str] = {}
        self._styled_theme: object | None = None
        """The theme whose fallback styles were last taken from CSS (None: none yet, or
        CSS changed since)."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styled_theme = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """TextArea takes its theme's fallback styles from CSS on every call, ~2 ms a
        frame, and the compositor asks for the composer's lines on most frames under
        load: take them when CSS or the theme changed only."""
        theme = self._theme
        if theme and theme is not self._styled_theme:
            theme.apply_css(self)
            self._styled_theme = theme
        return ScrollView.render_lines(self, crop)

    def edit(self, edit: Edit) -> EditResult:
        """A paste (a customer's text copied back) may carry escape sequences, which a
        TextArea would hand the terminal as they are: they become stand-ins."""
        edit.text = _shown(edit.text)
        return super().edit(edit)

    def load_text(self, text: str) -> None:
        """A draft comes back with the cursor at its end, where typing goes on."""
        super().load_text(_shown(text))
        self.move_cursor(self.document.end)

    async def on_key(self, event: events.Key) -> None:
        """Enter sends. Handled here, in this widget's queue after the keys typed before
        it (a priority binding would run first and send a paste without its tail);
        `prevent_default` keeps TextArea from inserting a new line. The other keys of
        this box (new line, Backspace, cursor moves) act here too, where typed."""
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_submit()
        elif event.key in PAGE_KEYS:
            event.prevent_default()
            event.stop()
            self.post_message(self.Page(PAGE_KEYS[event.key]))
        elif not await run_own_binding(self, event) and event.key == "shift+tab":
            move_focus_in_order(self, event)  # the keys behind it go with the focus

    def action_submit(self) -> None:
        """Send what is written; a lone `/name` is replaced by that canned reply first."""
        if self.expand_canned():
            return
        text = self.text.strip()
        if _looks_like_canned(text):
            self.post_message(self.UnknownCanned(text[1:], list(self.canned)))
        elif text:
            self.post_message(self.Submitted(text))

    def on_text_area_changed(self) -> None:
        if self.text:
            self.post_message(self.Typing())

    def action_newline(self) -> None:
        self.insert("\n")

    def action_expand_canned(self) -> None:
        if self.expand_canned():
            return
        if _looks_like_canned(self.text.strip()):
            self.post_message(self.UnknownCanned(self.text.strip()[1:], list(self.canned)))
        else:
            self.screen.focus_next()
            pass_on_queued_keys(self)  # the keys typed behind Tab follow the focus

    def expand_canned(self) -> bool:
        """Replace a lone `/name`, or the start of only one saved name (`/tha` for
        `/thanks`), with that canned reply; True if it did."""
        text = self.text.strip()
        name = _complete_canned(text[1:], self.canned) if _looks_like_canned(text) else None
        if name is not None:
            self.load_text(self.canned[name])
            self.move_cursor(self.document.end)
            return True
        return False


def _complete_canned(typed: str, names: Iterable[str]) -> str | None:
    """The saved name `typed` stands for: itself, or the one name it begins."""
    names = list(names)
    if typed in names:
        return typed
    starting = [name for name in names if name.startswith(typed)]
    return starting[0] if len(starting) == 1 else None


def _looks_like_canned(text: str) -> bool:
    return len(text) > 1 and text.startswith("/") and not any(c.isspace() for c in text)


def _shown(text: str) -> str:
    """Line breaks stay line breaks (a terminal pastes them as CR); every other control
    character becomes its stand-in."""
    return visible(text.replace("\r\n", "\n").replace("\r", "\n"))
