"""Asks before an agent acts on a conversation another agent has."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    """True when confirmed by Enter, `y` or the same key again; False on Escape or `n`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", "Yes"),
        Binding("escape,n", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, key: str) -> None:
        """`key`: the key that asked (pressing it again confirms, as pressing twice did)."""
        super().__init__()
        self.question = question
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(self.question, markup=False)
            again = "" if self.key == "enter" else \
                f"{self.app.get_key_display(Binding(self.key, ''))} again or "
            yield Label(f"{again}Enter: yes · Escape: no", classes="hint", markup=False)

    def on_key(self, event: events.Key) -> None:
        if event.key == self.key:
            event.stop()
            self.dismiss(True)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
