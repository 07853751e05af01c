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
    Binding("f1", "help", "Help", show=False),
]

SIMULATOR_HELP: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Chat as a customer", (
        ("Enter", "send as the selected customer (a /word is sent as typed)"),
        ("Ctrl+J", "new line"),
        ("Tab", "customer list → composer → wire log table"),
        ("@new_customer", ""),
        ("@toggle_online", "go offline / back online (presence)"),
        ("@rate", "rate the conversation 1–5, with an optional comment"),
    )),
    ("Try the converter", (
        ("@raw", "publish raw JSON on the customer's channel, optionally with meta, "
                 "as another publisher, with a custom message type"),
        ("@toggle_wire", "show or hide the wire log (under the chat below 100 columns)"),
        ("↑  ↓", "in the wire log: older and newer records, the selected one in full"),
        ("@save_sample", "save the selected record as a check-converter sample"),
        ("@app.reload_converter", "reload the converter's module after editing it"),
    )),
    ("More", (
        ("F1  Esc", "close this help"),
        ("F4  Esc", "back to the console (run on its own: quit, after asking)"),
    )),
)
"""F1's sections; `@action` rows take their keys from the bindings above (and their
words, when a row gives none)."""


def simulator_help() -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections with each `@action` row's keys filled in."""
    from .help import key_label

    keys = {b.action: b for b in SIMULATOR_BINDINGS if isinstance(b, Binding)}
    return [(title, [(key_label(keys[k[1:]].key), words or keys[k[1:]].description)
                     if k.startswith("@") else (k, words) for k, words in rows])
            for title, rows in SIMULATOR_HELP]


def in_footer_order(active: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """`active` in `SIMULATOR_BINDINGS` order, the rest after (Textual's own order puts
    the focused composer's keys first, which pushed the way out off an 80-column footer)."""
    actions = [b.action for b in SIMULATOR_BINDINGS if isinstance(b, Binding)]

    def rank(item: tuple[str, ActiveBinding]) -> int:
        action = item[1].binding.action
        return actions.index(action) if action in actions else len(actions)
    return dict(sorted(active.items(), key=rank))
