"""Shows one attachment: an image drawn with the terminal's graphics protocol where it
has one, its name, type and size as text everywhere (and always for other files)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from suppgram_tui.model import Attachment

from ..widgets.transcript_entry import attachment_line

NO_PROTOCOL = ("This terminal shows no images here (that takes Sixel or Kitty graphics). "
               "Ctrl+S saves it; open it from there.")


class AttachmentScreen(ModalScreen[bool]):
    """True when the agent asked to save it (Ctrl+S), False when closed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close(False)", "Close"),
        Binding("ctrl+s", "close(True)", "Save"),
    ]

    def __init__(self, attachment: Attachment, image: Widget | None, *,
                 why_no_image: str | None = None) -> None:
        """`image`: textual-image's widget, or None to describe it in words."""
        super().__init__()
        self.attachment = attachment
        self.image = image
        self.why_no_image = why_no_image

    def compose(self) -> ComposeResult:
        with Vertical(id="attachment-box"):
            yield Label(Text(f"📎 {attachment_line(self.attachment)}"), id="attachment-title")
            if self.image is not None:
                yield self.image
            else:
                yield Static(Text(self.why_no_image or "Not an image: Ctrl+S saves it."),
                             id="attachment-fallback")
            yield Label("Ctrl+S: save · Escape: close", classes="hint", markup=False)

    def action_close(self, save: bool) -> None:
        self.dismiss(save)
