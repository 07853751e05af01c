"""A small modal that asks for one line of text (tags, hand-over target)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from suppgram_tui.text import visible


class PromptScreen(ModalScreen[str | None]):
    """Returns the entered text, or None when dismissed with Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_empty", "Cancel")]

    def __init__(self, title: str, *, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        # the title and the prefill may quote outside text (a conversation's tags): an
        # Input shows its value as it is, so control characters become stand-ins first
        with Vertical(id="prompt-box"):
            yield Label(visible(self.prompt_title), markup=False)
            yield Input(value=visible(self.value, keep_newlines=False),
                        placeholder=visible(self.placeholder, keep_newlines=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_dismiss_empty(self) -> None:
        self.dismiss(None)
