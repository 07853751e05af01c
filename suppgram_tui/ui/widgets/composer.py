"""Where the agent writes: Enter sends, Ctrl+J (or Alt+Enter) starts a new line."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class Composer(TextArea):
    """A multi-line reply box with `/name` canned replies."""

    BINDINGS = [
        Binding("ctrl+j,alt+enter,shift+enter", "newline", "New line", show=False),
        Binding("tab", "expand_canned", "Insert canned reply", show=False),
    ]

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Typing(Message):
        """The agent typed something (for the typing indicator)."""

    class UnknownCanned(Message):
        """`/name` was sent but no canned reply has that name."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         placeholder="Reply… (Enter sends, Ctrl+J new line, /name inserts a "
                                     "canned reply)")
        self.canned: dict[str, str] = {}

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            if self.expand_canned():
                return
            text = self.text.strip()
            if _looks_like_canned(text):
                self.post_message(self.UnknownCanned(text[1:]))
            elif text:
                self.post_message(self.Submitted(text))
            return
        await super()._on_key(event)

    def on_text_area_changed(self) -> None:
        if self.text:
            self.post_message(self.Typing())

    def action_newline(self) -> None:
        self.insert("\n")

    def action_expand_canned(self) -> None:
        if self.expand_canned():
            return
        if _looks_like_canned(self.text.strip()):
            self.post_message(self.UnknownCanned(self.text.strip()[1:]))
        else:
            self.screen.focus_next()

    def expand_canned(self) -> bool:
        """Replace a lone `/name` with that canned reply; True if it did."""
        text = self.text.strip()
        if text.startswith("/") and " " not in text and text[1:] in self.canned:
            self.load_text(self.canned[text[1:]])
            self.move_cursor(self.document.end)
            return True
        return False


def _looks_like_canned(text: str) -> bool:
    return len(text) > 1 and text.startswith("/") and not any(c.isspace() for c in text)
