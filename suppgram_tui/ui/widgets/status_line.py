"""One line telling the agent whether the console can be trusted right now."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from suppgram_tui.inbox import InboxStatus
from suppgram_tui.model import ConnectionState
from suppgram_tui.text import one_line


class StatusLine(Static):
    """Connection, origin, agent, groups with their fill, pending replies."""

    connection: reactive[ConnectionState] = reactive(ConnectionState.CONNECTING)
    """Drives the line's colour (a CSS class per state)."""
    detail: reactive[str] = reactive("")
    """Why the console is not connected, in words."""
    pending: reactive[int] = reactive(0)
    """Replies stored but not yet acknowledged by PubNub."""
    groups: reactive[str] = reactive("")
    """The watched channel groups, with how full each is once known: a group holds at
    most so many channels (2,000 on PubNub), one per customer."""
    notes: reactive[tuple[str, ...]] = reactive(())
    """What the keyset lacks (no history, no App Context…)."""

    def __init__(self, *, origin: str, agent: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.origin = origin
        self.agent = agent
        self._explained = ""

    def show_connection(self, state: ConnectionState, detail: str, pending: int) -> None:
        self.connection, self.detail, self.pending = state, detail, pending

    def show(self, status: InboxStatus) -> None:
        """Everything at once; reactives repaint the line only when its text changed."""
        self.show_connection(status.connection, status.detail, status.pending_replies)
        self.groups = ", ".join(f"{group}: {count}/{status.group_capacity} channels"
                                for group, count in status.channels_per_group.items())
        explained = "\n".join(
            f"Channel group {one_line(group, 60)} holds {count} of the "
            f"{status.group_capacity} customer channels a group can hold."
            for group, count in status.channels_per_group.items())
        if explained != self._explained:  # setting it updates the screen's tooltip
            self._explained = explained
            self.tooltip = Content(explained) if explained else None
        self.notes = tuple(note[:200] for note in status.notes)

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
        # what is wrong comes right after the state, so a narrow terminal cuts the
        # origin and the agent's name rather than the reason
        parts = [label]
        if self.detail and state is not ConnectionState.CONNECTED:
            parts.append(self.detail)
        warnings = [note for note in self.notes if note.startswith("⚠")]
        parts += [*warnings, self.origin, f"agent {self.agent}", self.groups,
                  *(note for note in self.notes if not note.startswith("⚠"))]
        # the agent name, errors and notes quote outside text: controls shown, not obeyed
        return Content(one_line(" │ ".join(part for part in parts if part), 1000))
