"""The footer: the screen's keys, most needed first, as many as fit and none cut.

Textual's footer lays every key out in a row and clips the row at the right edge, so
at 80 columns the last key shown loses its label and the keys an agent reaches for
most (help, quit) are the ones clipped. This bar reads the same bindings (`show=True`,
their descriptions) and shows them in the order of `priority`, stopping before the
first one that would not fit whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

AGENT_PRIORITY: tuple[str, ...] = (
    "claim", "resolve", "next_unread", "hand_over", "search", "toggle_help",
    "command_palette", "tag", "postpone", "simulator", "quit", "retry", "stats",
    "toggle_raw", "step(-1)", "step(1)",
)
"""The console's actions in the order an agent needs them: handle the conversation,
find the next one, then the ways to learn the rest (F1, the palette), then the rarer
screens. Actions not named here follow, in the order they are bound."""


@dataclass(frozen=True)
class KeyItem:
    """One key as the bar shows it."""

    key: str
    """The binding's key, pressed for it when the item is clicked."""
    display: str
    label: str
    enabled: bool

    @property
    def width(self) -> int:
        return cell_len(self.display) + 1 + cell_len(self.label)


class KeyBar(Widget, can_focus=False):
    """One line of keys; lower-priority keys are dropped to fit, never clipped."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--label"}
    GAP = 2
    """Spaces between two keys: what tells one key's label from the next key."""

    def __init__(self, *, priority: Sequence[str] = AGENT_PRIORITY,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.priority = tuple(priority)
        self._items: list[KeyItem] = []
        self._spans: list[tuple[int, int, KeyItem]] = []
        """Where each shown item is on the line (x from, x to), for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self._items = self.items()
            self.refresh()

    def items(self) -> list[KeyItem]:
        """Every key the screen shows, one per action, in priority order."""
        app = self.app
        by_action: dict[str, KeyItem] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            action = binding.action.removeprefix("app.").removeprefix("screen.")
            shown = binding.show or (key == app.COMMAND_PALETTE_BINDING
                                     and app.ENABLE_COMMAND_PALETTE)
            if not shown or action in by_action:
                continue
            label = binding.description or action.replace("_", " ").capitalize()
            if action == "command_palette":
                label = "Palette"
            by_action[action] = KeyItem(binding.key, app.get_key_display(binding), label,
                                        active.enabled)
        rank = {action: index for index, action in enumerate(self.priority)}
        order = sorted(by_action, key=lambda action: rank.get(action, len(rank)))
        return [by_action[action] for action in order]

    def fitting(self, width: int) -> list[KeyItem]:
        """The items that fit in `width` cells, highest priority first, none in part."""
        shown: list[KeyItem] = []
        used = 0
        for item in self._items:
            needed = item.width + (self.GAP if shown else 0)
            if used + needed > width:
                break
            shown.append(item)
            used += needed
        return shown

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        key_style = base + self.get_component_rich_style("key-bar--key")
        label_style = base + self.get_component_rich_style("key-bar--label")
        segments: list[Segment] = []
        self._spans = []
        x = 0
        for item in self.fitting(width):
            if self._spans:
                segments.append(Segment(" " * self.GAP, base))
                x += self.GAP
            dim = Style(dim=not item.enabled)
            segments += [Segment(item.display, key_style + dim), Segment(" ", base),
                         Segment(item.label, label_style + dim)]
            self._spans.append((x, x + item.width, item))
            x += item.width
        return Strip(segments).adjust_cell_length(width, base)

    def plain(self) -> str:
        """The line as text (for tests)."""
        return self.render_line(0).text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        for start, end, item in self._spans:
            if offset is not None and start <= offset.x < end:
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
