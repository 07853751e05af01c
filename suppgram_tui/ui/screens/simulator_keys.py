"""The simulator's keys, in the order the footer shows them: the way out first, so even
80 columns show it."""

from __future__ import annotations

from textual.binding import ActiveBinding, Binding, BindingType

SIMULATOR_BINDINGS: list[BindingType] = [
    # one of the two is active: back inside the console, quit when run on its own
    Binding("f4,escape", "back", "Back to console"),
    Binding("f4,escape", "quit_simulator", "Quit"),
    Binding("ctrl+n", "new_customer", "New customer", priority=True),
    Binding("ctrl+o", "toggle_online", "On/offline", priority=True),
    Binding("ctrl+r", "rate", "Rate", priority=True),
    Binding("ctrl+e", "raw", "Raw JSON", priority=True),
    Binding("ctrl+s", "save_sample", "Save sample", priority=True,
            tooltip="Save the wire log's selected record as a check-converter sample"),
    Binding("f2", "toggle_wire", "Wire log"),
    # the app's: one reload for the console and the simulator together
    Binding("ctrl+l", "app.reload_converter", "Reload", priority=True),
]


def in_footer_order(active: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`active` in `SIMULATOR_BINDINGS` order, the rest after (Textual's own order puts
    the focused composer's keys first, which pushed the way out off an 80-column footer)."""
    actions = [b.action for b in SIMULATOR_BINDINGS if isinstance(b, Binding)]

    def rank(item: tuple[str, ActiveBinding]) -> int:
        action = item[1].binding.action
        return actions.index(action) if action in actions else len(actions)
    return dict(sorted(active.items(), key=rank))
