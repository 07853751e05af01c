"""The payload inspector (F7): one message of the open conversation, all of it.

The transcript's wire view shows a preview of each envelope and JSON; this screen shows
the whole envelope, meta, JSON and what the converter made of it, as plain text drawn a
line at a time, so a payload of any size opens at once and scrolls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from suppgram_tui.inbox import Entry
from suppgram_tui.text import visible

from ..widgets.payload_view import PayloadView
from ..widgets.transcript_entry import author_label


def describe_entry(entry: Entry) -> str:
    """Every part of one message, as plain visible text."""
    if entry.message is None:
        decoded = f"undecodable: {entry.error}"
    else:
        kind = getattr(entry.message.kind, "value", entry.message.kind)
        decoded = f"kind={kind} time_utc={entry.message.time_utc}\n{entry.text}"
    sections = [
        ("Envelope", f"channel={entry.channel}\ntimetoken={entry.timetoken}\n"
                     f"publisher={entry.publisher}"),
        ("Meta", _pretty(entry.meta)),
        ("Message JSON", _pretty(entry.payload)),
        ("Decoded", decoded),
    ]
    return visible("\n".join(f"▸ {title}\n{body}\n" for title, body in sections))


def _pretty(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        return repr(value)


def _size(entry: Entry) -> str:
    size = len(entry.raw.encode("utf-8", "surrogatepass")) + (
        len(json.dumps(entry.meta, default=str)) if entry.meta else 0)
    return f"{size:,} bytes" if size < 10 * 1024 else f"{size / 1024:,.0f} KB"


class PayloadScreen(ModalScreen[None]):
    """One message in full; Left and Right step to the previous and next message."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f7", "app.pop_screen", "Close"),
        Binding("left", "step(-1)", "Previous message", key_display="←", priority=True),
        Binding("right", "step(1)", "Next message", key_display="→", priority=True),
        Binding("p", "step(-1)", "Previous message", show=False),
        Binding("n", "step(1)", "Next message", show=False),
    ]

    def __init__(self, entries: Sequence[Entry], index: int) -> None:
        super().__init__()
        self.entries = list(entries)  # what was open when asked: later ones wait
        self.index = max(0, min(index, len(self.entries) - 1))

    def compose(self) -> ComposeResult:
        yield Static(id="payload-title")
        yield PayloadView(id="payload-view")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show()
        self.query_one(PayloadView).focus()

    @property
    def entry(self) -> Entry:
        return self.entries[self.index]

    def action_step(self, step: int) -> None:
        index = self.index + step
        if 0 <= index < len(self.entries):
            self.index = index
            self._show()

    def _show(self) -> None:
        entry = self.entry
        title = (f"Message {self.index + 1:,} of {len(self.entries):,} · "
                 f"{author_label(entry)} · {_size(entry)}")
        self.query_one("#payload-title", Static).update(Content(visible(title)))
        self.query_one(PayloadView).show(describe_entry(entry))
