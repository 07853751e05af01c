"""Asks whom to hand a conversation to, offering the agents this console has seen.

A name typed wrong used to orphan the conversation with an agent nobody is: an unknown
name is said, and takes a second Enter.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from suppgram_tui.text import identifier
from suppgram_tui.ui.widgets.ordered_input import OrderedInput


class HandOverScreen(ModalScreen[str | None]):
    """Returns the agent to hand over to, or None when dismissed with Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, customer: str, agents: list[str]) -> None:
        """`agents`: who this console has seen, the ones online first."""
        super().__init__()
        self.customer = customer
        self.agents = agents
        self._confirming: str | None = None
        """An unknown name the agent was warned about; Enter on it again hands over."""

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Label(Text(f"Hand over the conversation with {identifier(self.customer, 40)}"
                             " to:"))
            yield OrderedInput(placeholder=self.agents[0] if self.agents else "agent name",
                        suggester=SuggestFromList(self.agents, case_sensitive=False))
            yield Static(Text(self._known(), style="dim"), id="hand-over-hint")

    def _known(self) -> str:
        if not self.agents:
            return "No other agent has been seen by this console yet."
        names = ", ".join(identifier(name, 30) for name in self.agents[:8])
        more = f" and {len(self.agents) - 8} more" if len(self.agents) > 8 else ""
        return f"Seen: {names}{more}. → completes a name."

    def on_input_changed(self) -> None:
        if self._confirming is not None:
            self._confirming = None
            self.query_one("#hand-over-hint", Static).update(Text(self._known(), style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip() or (self.agents[0] if self.agents else "")
        if not name:
            return
        known = {agent.casefold(): agent for agent in self.agents}
        if name.casefold() in known:
            self.dismiss(known[name.casefold()])
        elif self._confirming == name:
            self.dismiss(name)
        else:
            self._confirming = name
            self.query_one("#hand-over-hint", Static).update(Text(
                f"No agent named {identifier(name, 30)} has been seen by this console. "
                "Enter again hands over anyway; Escape cancels.", style="bold"))

    def action_cancel(self) -> None:
        self.dismiss(None)
