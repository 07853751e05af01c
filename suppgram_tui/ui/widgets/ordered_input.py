"""A dialog's one-line box whose keys act in the order typed, Tab included."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from .focus_move import move_focus_in_order
from .in_order import run_own_binding


class OrderedInput(Input):
    """An Input where Tab and Shift+Tab move the focus at once, taking the keys typed
    behind them to the next box, and where its own keys (Backspace, cursor moves) act
    where they were typed; Textual would resolve both only after the rest of the read
    had been typed into this box."""

    async def on_key(self, event: events.Key) -> None:
        if not move_focus_in_order(self, event):
            await run_own_binding(self, event)
