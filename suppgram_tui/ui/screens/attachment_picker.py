"""Asks which attachment of a conversation to save or view, newest first."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from suppgram_tui.model import Attachment

from ..widgets.transcript_entry import attachment_line


class AttachmentPickerScreen(ModalScreen[Attachment | None]):
    """Returns the chosen attachment, or None when dismissed with Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, attachments: list[Attachment]) -> None:
        super().__init__()
        self.picker_title = title
        self.attachments = attachments

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(self.picker_title, markup=False)
            yield OptionList(*[Option(Text(f"📎 {attachment_line(a)}"), id=str(index))
                               for index, a in enumerate(self.attachments)])
            yield Label("Enter: choose · Escape: cancel", classes="hint", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.attachments[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
