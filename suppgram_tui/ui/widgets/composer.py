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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.canned: dict[str, str] = {}

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            if self.expand_canned():
                return
            text = self.text.strip()
            if text:
                self.post_message(self.Submitted(text))
            return
        await super()._on_key(event)

    def on_text_area_changed(self) -> None:
        if self.text:
            self.post_message(self.Typing())

    def action_newline(self) -> None:
        self.insert("\n")

    def action_expand_canned(self) -> None:
        if not self.expand_canned():
            self.screen.focus_next()

    def expand_canned(self) -> bool:
        """Replace a lone `/name` with that canned reply; True if it did."""
        text = self.text.strip()
        if text.startswith("/") and " " not in text and text[1:] in self.canned:
            self.load_text(self.canned[text[1:]])
            self.move_cursor(self.document.end)
            return True
        return False
