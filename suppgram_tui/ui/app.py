"""The Textual application: one factory builds it from a `ConsoleConfig`."""

from __future__ import annotations

import gc
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerState

from suppgram_tui.session import ConsoleSession

from .bridge import InboxBridge
from .config import ConsoleConfig
from .safe_text import visible
from .screens.connecting import ConnectingScreen
from .screens.console import ConsoleScreen

log = logging.getLogger(__name__)


class SuppgramConsole(App[None]):
    """The support console. Network work runs in workers; widgets update from messages."""

    TITLE = "suppgram-tui"
    CSS_PATH = [Path(__file__).parent / "console.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "toggle_help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, config: ConsoleConfig, session: ConsoleSession) -> None:
        super().__init__()
        self.config = config
        self.session = session
        self.bridge = InboxBridge()
        """Turns the inbox's events into messages for the screen on show."""
        self.console_screen: ConsoleScreen | None = None
        """The main screen, once the inbox has connected and loaded and it is shown."""
        self._gc_thresholds: tuple[int, int, int] | None = None

    def on_mount(self) -> None:
        connecting = ConnectingScreen(origin=self.config.origin_label,
                                      agent=self.config.agent_name,
                                      groups=", ".join(self.config.link.channel_groups))
        self.bridge.attach(connecting)
        self.push_screen(connecting)
        self.connect()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        inbox = await self.session.start()
        # What startup loaded (conversations, history, the widget tree) lives as long as
        # the console: keep the collector's full passes, which stall the UI for hundreds
        # of ms on a big inbox, from rescanning it, and make them rare (what the console
        # drops is freed by reference counting; full passes only find the odd cycle).
        # Undone at unmount.
        gc.freeze()
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(self._gc_thresholds[0], self._gc_thresholds[1], 1000)
        for notice in self.session.notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        origin = self.config.origin_label
        if self.config.local_server and self.config.show_local_origin:
            origin = f"LOCAL {self.session.settings.origin}"
        console = ConsoleScreen(inbox, self.config, origin=origin)
        self.bridge.attach(console)  # what happens meanwhile waits in its queue
        await self.switch_screen(console)
        self.console_screen = console

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Snapshots need a still cursor, on every screen (prompts and simulator too)."""
        if not self.config.cursor_blink and isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every toast passes here (screens' and widgets' too): the names, words and
        errors it quotes come from outside, so their control characters are shown."""
        super().notify(visible(message), title=visible(title), **options)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed background job becomes words on screen."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("%s failed: %r", event.worker.name, error)
            what = "Could not connect" if event.worker.group == "connect" else "Failed"
            self.notify(f"{what}: {error}", severity="error", markup=False, timeout=15)

    async def on_unmount(self) -> None:
        await self.session.stop()
        gc.unfreeze()  # collectable again once this console is gone
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)

    def action_toggle_help(self) -> None:
        """F1 opens the key help and closes it again."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_stats(self) -> None:
        from .screens.stats import StatsScreen

        if self.console_screen is not None:
            self.push_screen(StatsScreen(self.console_screen.inbox, clock=self.config.clock))

    def action_simulator(self) -> None:
        """Chat as customers on the same server, to try the console (and the converter)."""
        from .screens.simulator import SimulatorScreen

        if self.console_screen is None:
            return
        if not self.is_screen_installed("simulator"):
            link = self.config.link
            # customers never use the agents' token; installed, so that they stay
            # connected while the agent is back on the console
            self.install_screen(SimulatorScreen(
                replace(self.session.settings, token=None),
                converter_path=self.config.converter_path, group=link.channel_groups[0],
                support_user=link.user_id, clock=self.config.clock,
                first_customer=(self.config.simulator_customer, None),
                typing_signals=self.config.presence_signals), "simulator")
        self.push_screen("simulator")


def make_app(config: ConsoleConfig) -> SuppgramConsole:
    """Build the console; the CLI and the tests both start here."""
    session = ConsoleSession(
        config.link, agent_name=config.agent_name, converter_path=config.converter_path,
        store_path=config.store_path, local_server=config.local_server,
        local_data_path=config.local_data_path, local_poll_timeout=config.local_poll_timeout,
        local_port=config.local_port, local_options=config.local_server_options,
        clock=config.clock, announce=config.presence_signals)
    app = SuppgramConsole(config, session)
    session.listener = app.bridge.on_event
    return app
