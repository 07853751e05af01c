"""One line telling the agent whether the console can be trusted right now."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from suppgram_tui.model import ConnectionState


class StatusLine(Static):
    """Connection, origin, agent, groups with their fill, pending replies."""

    connection: reactive[ConnectionState] = reactive(ConnectionState.CONNECTING)
    detail: reactive[str] = reactive("")
    pending: reactive[int] = reactive(0)
    groups: reactive[str] = reactive("")
    notes: reactive[str] = reactive("")

    def __init__(self, *, origin: str, agent: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.origin = origin
        self.agent = agent

    def watch_connection(self, state: ConnectionState) -> None:
        for name in ConnectionState:
            self.set_class(state is name, f"-{name.value}")

    def render(self) -> Content:
        state = self.connection
        label = {ConnectionState.CONNECTED: "● connected",
                 ConnectionState.CONNECTING: "◌ connecting",
                 ConnectionState.RECONNECTING: "◌ reconnecting",
                 ConnectionState.STOPPED: "○ offline"}[state]
        if state is not ConnectionState.CONNECTED and self.pending:
            label += f" with {self.pending} pending repl{'y' if self.pending == 1 else 'ies'}"
        elif self.pending:
            label += f" · {self.pending} sending"
        parts = [label, self.origin, f"agent {self.agent}", self.groups]
        if self.detail and state is not ConnectionState.CONNECTED:
            parts.append(self.detail)
        if self.notes:
            parts.append(self.notes)
        return Content(" │ ".join(part for part in parts if part))
