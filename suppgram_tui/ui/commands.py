"""Command palette rows for what an agent can do on the current screen.

The rows come from the screen's own key bindings (`Command`), so the words and the key
shown in the palette are the ones the footer and the help panel show.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Command(Binding):
    """A key binding that is also a row of the command palette."""

    title: str = ""
    """The palette row, in the words an agent would search for."""
    explanation: str = ""
    """What it does, shown under the row with its key."""


class PaletteRow(NamedTuple):
    title: str
    action: str
    help: str


class ConsoleCommands(Provider):
    """The screen's `Command` bindings, plus its `PALETTE_ONLY` rows (no key)."""

    def _rows(self) -> list[PaletteRow]:
        rows: list[PaletteRow] = []
        for binding in self.screen.BINDINGS:
            if isinstance(binding, Command) and binding.title \
                    and self.screen.check_action(binding.action, ()) is not False:
                first_key = binding.key.split(",")[0]
                key = self.app.get_key_display(Binding(first_key, binding.action))
                rows.append(PaletteRow(binding.title, binding.action,
                                       f"{binding.explanation} ({key})"))
        rows.extend(getattr(self.screen, "PALETTE_ONLY", ()))
        return rows

    async def discover(self) -> Hits:
        for title, action, help_text in self._rows():
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._rows():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action),
                          help=help_text)
