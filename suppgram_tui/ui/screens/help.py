"""F1: what an agent does, in that order, each with its keys (not Textual's key list)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..commands import Command

KEY_NAMES = {"up": "↑", "down": "↓", "escape": "Esc", "enter": "Enter", "tab": "Tab"}


def key_label(keys: str) -> str:
    """`ctrl+g,alt+up` as an agent reads it: `Ctrl+G  Alt+↑`."""
    labels = []
    for key in keys.split(","):
        *modifiers, name = key.split("+")
        name = KEY_NAMES.get(name, name.upper() if len(name) <= 3 else name.capitalize())
        labels.append("+".join([*(m.capitalize() for m in modifiers), name]))
    return "  ".join(labels)


def help_rows(sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
              bindings: Iterable[BindingType]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections with each `@action` row replaced by that binding's keys and words."""
    by_action = {b.action: b for b in bindings if isinstance(b, Binding)}
    filled = []
    for title, rows in sections:
        out = []
        for keys, words in rows:
            if keys.startswith("@"):
                binding = by_action[keys[1:]]
                explanation = binding.explanation if isinstance(binding, Command) else ""
                keys = key_label(binding.key)
                words = f"{binding.description}: {explanation}" if explanation \
                    else binding.description
            out.append((keys, words))
        filled.append((title, out))
    return filled


class HelpScreen(ModalScreen[None]):
    """The console's help, over the console; F1, Escape or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,escape,q", "dismiss", "Close help"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="help-box")
        box.border_title = "Help · F1 or Esc closes it"  # on screen however far it scrolls
        box.border_subtitle = "↑ ↓ PgUp PgDn scroll"
        with box:
            for title, rows in self.sections:
                table = Table.grid(padding=(0, 2))
                table.add_column(style="bold", no_wrap=True)
                table.add_column()
                for keys, words in rows:
                    table.add_row(Text(keys), Text(words))
                yield Static(Text(title), classes="help-title")
                yield Static(table, classes="help-section")
