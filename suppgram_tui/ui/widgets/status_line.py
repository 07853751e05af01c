"""One line telling the agent whether the console can be trusted right now."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
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
        short = label
        if state is not ConnectionState.CONNECTED and self.pending:
            label += f" with {self.pending} pending repl{'y' if self.pending == 1 else 'ies'}"
            short += f" ({self.pending} pending)"
        elif self.pending:
            label += f" · {self.pending} sending"
            short = label
        # what is wrong comes right after the state, so a narrow terminal cuts the
        # origin and the agent's name rather than the reason
        # (the agent name, errors and notes quote outside text: controls shown, not obeyed)
        must = [one_line(part, 1000) for part in [
            self.detail if state is not ConnectionState.CONNECTED else "",
            *(note for note in self.notes if note.startswith("⚠"))] if part]
        rest = [one_line(part, 1000) for part in [
            self.origin, f"agent {self.agent}", self.groups,
            *(note for note in self.notes if not note.startswith("⚠"))] if part]
        width = self.content_size.width
        if width and cell_len(SEPARATOR.join([label, *must])) > width:
            label = short  # the reason whole matters more than the longer wording
        return Content(fit_parts([label, *must, *rest], width, cut_first=1 + len(must)))


SEPARATOR = " │ "


def fit_parts(parts: list[str], width: int, *, cut_first: int) -> str:
    """The parts that fit in `width` cells, whole, in order: one that does not fit is
    left out, not cut mid-word ("support: 5/2000 channels" ended "support:"). Only the
    first `cut_first` (the state and why) are cut with an ellipsis rather than lost.
    Width 0 (not laid out yet): everything."""
    if width <= 0:
        return SEPARATOR.join(parts)
    line = ""
    for index, part in enumerate(parts):
        joined = f"{line}{SEPARATOR}{part}" if line else part
        if cell_len(joined) <= width:
            line = joined
        elif index < cut_first:
            return set_cell_size(joined, width - 1) + "…"
    return line
