"""`suppgram-tui simulate`: the simulator screen on its own, optionally with a local server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions

from .screens.simulator import SimulatorScreen


class SimulatorApp(App[None]):
    """Customers only: point it at the origin a console uses."""

    TITLE = "suppgram-tui simulator"
    CSS_PATH = [Path(__file__).parent / "console.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, settings: LinkSettings, *, converter_path: str, group: str,
                 support_user: str, user_id: str | None, channel: str | None,
                 local_port: int | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.converter_path = converter_path
        self.group = group
        self.support_user = support_user
        self.first = (user_id, channel)
        self.local_port = local_port
        self.server: LocalPubNub | None = None

    def on_mount(self) -> None:
        self.open()

    @work(exclusive=True, exit_on_error=False)
    async def open(self) -> None:
        if self.local_port is not None:
            self.server = await LocalPubNub(ServerOptions(port=self.local_port)).start()
            self.settings = replace(self.settings, origin=self.server.origin, ssl=False)
            self.notify(f"Local server on {self.server.origin}: start a console with "
                        f"--origin {self.server.origin}", timeout=15, markup=False)
        await self.push_screen(SimulatorScreen(
            self.settings, converter_path=self.converter_path, group=self.group,
            support_user=self.support_user, first_customer=self.first, standalone=True))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.notify(f"Failed: {event.worker.error}", severity="error", markup=False,
                        timeout=15)

    async def on_unmount(self) -> None:
        if self.server is not None:
            await self.server.stop()
