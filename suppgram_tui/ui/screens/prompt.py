"""A small modal that asks for one line of text (tags, hand-over target, a rating…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from suppgram_tui.text import visible
from suppgram_tui.ui.widgets.ordered_input import OrderedInput

Check = Callable[[str], str | None]
"""What is wrong with an answer, in a sentence; None when it will do."""


class PromptScreen(ModalScreen[str | None]):
    """Returns the entered text, or None when dismissed with Escape.

    With a `check`, an answer it finds wrong is not returned: the dialog stays open with
    the text as typed and the check's sentence under it, so nothing typed is lost.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_empty", "Cancel")]

    def __init__(self, title: str, *, placeholder: str = "", value: str = "",
                 hint: str = "", check: Check | None = None) -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        # the title and the prefill may quote outside text (a conversation's tags): an
        # Input shows its value as it is, so control characters become stand-ins first
        with Vertical(id="prompt-box"):
            yield Label(visible(self.prompt_title), markup=False)
            yield OrderedInput(value=visible(self.value, keep_newlines=False),
                        placeholder=visible(self.placeholder, keep_newlines=False))
            yield Label(visible(self.hint), id="prompt-hint", classes="hint", markup=False)
            yield Label("", id="prompt-problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#prompt-hint").display = bool(self.hint)
        self.query_one("#prompt-problem").display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check is not None else None
        if problem is None:
            self.dismiss(event.value)
            return
        label = self.query_one("#prompt-problem", Label)
        label.update(Content(visible(problem)))
        label.display = True

    def on_input_changed(self) -> None:
        self.query_one("#prompt-problem").display = False

    def action_dismiss_empty(self) -> None:
        self.dismiss(None)
