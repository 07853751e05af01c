"""`suppgram-tui simulate`: the simulator screen on its own, optionally with a local server."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.runtime import start_local_server
from suppgram_tui.settings import Settings

from .cache_cycles import free_drawn_lines
from .screens.confirm import ConfirmScreen
from .screens.simulator import SimulatorScreen
from .terminal_keys import read_alt_keys


class SimulatorApp(App[None]):
    """Customers only: point it at the origin a console uses."""

    TITLE = "suppgram-tui simulator"
    CSS_PATH = [Path(__file__).parent / "console.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False)]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        read_alt_keys()
        free_drawn_lines()
        self.settings = settings
        self.server: LocalPubNub | None = None

    def on_mount(self) -> None:
        self.open()

    @work(exclusive=True, exit_on_error=False)
    async def open(self) -> None:
        link = self.settings.pubnub
        for note in self.settings.notes:
            self._warn(note)
        if self.settings.local is not None:
            # the title says the origin to start a console with: no toast over the composer
            try:
                self.server, link = await start_local_server(self.settings, self._warn)
            except OSError as error:  # not a blank screen: say why and exit 1
                self.exit(return_code=1, message=Text(
                    f"suppgram-tui: the local server cannot listen on port "
                    f"{self.settings.local.port}: {error.strerror}."))
                return
        simulator = self.settings.simulator
        await self.push_screen(SimulatorScreen(
            link, converter_path=self.settings.agent.converter_path,
            group=link.channel_groups[0], support_user=self.settings.support_user,
            first_customer=(simulator.customer, simulator.channel), standalone=True))

    async def action_quit(self) -> None:
        """Ctrl+Q asks, as F4 does, while there are customers to lose; again: quit."""
        simulators = [s for s in self.screen_stack if isinstance(s, SimulatorScreen)]
        if simulators and not isinstance(self.screen, ConfirmScreen):
            simulators[0].action_quit_simulator(key="ctrl+q")
        else:
            self.exit()

    def action_reload_converter(self) -> None:
        """Ctrl+L: the simulator's converter, re-imported (no console runs here)."""
        from suppgram_tui.converters.reloading import reload_for

        from .app import show_reload

        simulators = [s for s in self.screen_stack if isinstance(s, SimulatorScreen)]
        simulation = simulators[0].simulation if simulators else None
        show_reload(self, reload_for([simulation] if simulation is not None else []))

    def _warn(self, text: str) -> None:
        self.notify(text, severity="warning", markup=False, timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.notify(f"Failed: {event.worker.error}", severity="error", markup=False,
                        timeout=15)

    async def on_unmount(self) -> None:
        if self.server is not None:
            await self.server.stop()
