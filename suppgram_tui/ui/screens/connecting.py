"""What the agent sees until the inbox has connected and loaded its conversations."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..messages import ConnectionChanged, NoticeRaised
from ..widgets.key_bar import KeyBar
from ..widgets.status_line import StatusLine


class ConnectingScreen(Screen[None]):
    """The status line says how connecting goes; the app switches to the console after."""

    def __init__(self, *, origin: str, agent: str, groups: str) -> None:
        super().__init__()
        self.origin = origin
        self.agent = agent
        self.groups = groups

    def compose(self) -> ComposeResult:
        status = StatusLine(origin=self.origin, agent=self.agent, id="status")
        status.groups = self.groups
        yield status
        yield Static(Content(f"Connecting to {self.origin} and loading conversations…"),
                     id="connecting")
        yield KeyBar()

    def failed(self, text: str) -> None:
        """Connecting gave up: say why instead of "Connecting…" forever."""
        self.query_one("#connecting", Static).update(Content(text))

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        self.query_one(StatusLine).show_connection(message.state, message.detail,
                                                   message.pending_replies)

    def on_notice_raised(self, message: NoticeRaised) -> None:
        self.notify(message.text, severity=message.severity, markup=False, timeout=8)
