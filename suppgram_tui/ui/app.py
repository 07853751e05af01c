"""The Textual application: one factory builds it from a `Settings`."""

from __future__ import annotations

import gc
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import Input, TextArea
from textual.worker import Worker, WorkerState

from suppgram_tui.converters.reloading import ReloadReport
from suppgram_tui.malloc_arenas import limit_malloc_arenas
from suppgram_tui.runtime import ConsoleRuntime, KeysRejected
from suppgram_tui.settings import Settings, keyset_label
from suppgram_tui.text import visible

from .bridge import InboxBridge
from .cache_cycles import free_drawn_lines
from .frame_pacing import input_arrived
from .screens.connecting import ConnectingScreen
from .screens.console import ConsoleScreen
from .screens.quit_confirm import QuitConfirmScreen
from .terminal_keys import read_alt_keys

log = logging.getLogger(__name__)


class SuppgramConsole(App[None]):
    """The support console. Network work runs in workers; widgets update from messages."""

    TITLE = "suppgram-tui"
    CSS_PATH = [Path(__file__).parent / "console.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "toggle_help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, settings: Settings, runtime: ConsoleRuntime) -> None:
        super().__init__()
        read_alt_keys()
        free_drawn_lines()
        self.settings = settings
        self.runtime = runtime
        self.bridge = InboxBridge()
        """Turns the inbox's events into messages for the screen on show."""
        runtime.listen(self.bridge.on_event)
        self.console_screen: ConsoleScreen | None = None
        """The main screen, once the inbox has connected and loaded and it is shown."""
        self._gc_thresholds: tuple[int, int, int] | None = None

    def on_mount(self) -> None:
        connecting = ConnectingScreen(origin=self._origin_text(),
                                      agent=self.settings.agent.name,
                                      groups=", ".join(self.settings.pubnub.channel_groups))
        self.bridge.attach(connecting)
        self.push_screen(connecting)
        self.connect()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        inbox = await self.runtime.start()
        # What startup loaded (conversations, history, the widget tree) lives as long as
        # the console: keep the collector's full passes, which stall the UI for hundreds
        # of ms on a big inbox, from rescanning it, and make them rare (what the console
        # drops is freed by reference counting; full passes only find the odd cycle).
        # Undone at unmount.
        gc.freeze()
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(self._gc_thresholds[0], self._gc_thresholds[1], 1000)
        console = ConsoleScreen(inbox, self.settings, origin=self._origin_text())
        self.bridge.attach(console)  # what happens meanwhile waits in its queue
        await self.switch_screen(console)
        self.console_screen = console

    def _origin_text(self) -> str:
        """Where the console is and on which keyset, so a simulator or a second console
        on another keyset is told apart at a glance (the subscribe key, shortened)."""
        origin = self.settings.origin_label
        if not self.settings.ui.show_local_origin:  # snapshots: nothing that varies
            return origin
        link = self.runtime.settings.pubnub  # as started: the local server's origin
        if origin == "LOCAL" and link.origin:  # --local and --origin alike
            origin = f"LOCAL {link.origin}"
        return f"{origin} · keyset {keyset_label(link.subscribe_key)}"

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            input_arrived(self.screen)  # its frame comes as soon as it is handled
        await super().on_event(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Snapshots need a still cursor, on every screen (prompts and simulator too)."""
        if not self.settings.ui.cursor_blink and isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every toast passes here (screens' and widgets' too): the names, words and
        errors it quotes come from outside, so their control characters are shown."""
        super().notify(visible(message), title=visible(title), **options)

    def _fatal_error(self) -> None:
        """Textual's crash report, without the frames' local variables.

        Textual prints every frame's locals to the terminal (and so to scrollback and
        terminal logs); a frame holding a secret key or a token would print it. The
        traceback itself, with locals, goes to nobody.
        """
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed background job becomes words on screen."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("%s failed: %s", event.worker.name, error)
            if isinstance(error, KeysRejected):  # nothing can work: say why and exit 1
                self.exit(return_code=1, message=Text(f"suppgram-tui: {error}"))
                return
            what = "Could not connect" if event.worker.group == "connect" else "Failed"
            if event.worker.group == "connect" and isinstance(self.screen, ConnectingScreen):
                self.screen.failed(f"{what}: {error}")
            self.notify(f"{what}: {error}", severity="error", markup=False, timeout=15)

    async def on_unmount(self) -> None:
        await self.runtime.stop()
        gc.unfreeze()  # collectable again once this console is gone
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)

    async def action_quit(self) -> None:
        """Replies not yet delivered are said and asked about; Ctrl+Q again confirms."""
        if isinstance(self.screen, QuitConfirmScreen):
            self.screen.dismiss(True)  # Ctrl+Q is a priority key: the dialog never sees it
            return
        undelivered = self.console_screen.inbox.undelivered() if self.console_screen else {}
        if undelivered:
            self.push_screen(QuitConfirmScreen(undelivered),
                             lambda yes: self.exit() if yes else None)
        else:
            self.exit()

    def action_toggle_help(self) -> None:
        """F1 opens the help and closes it again: on the console, what an agent does;
        elsewhere Textual's key panel."""
        if self.screen is self.console_screen and self.console_screen is not None:
            from .screens.console_keys import CHAT_SDK_HELP, CONSOLE_BINDINGS, HELP
            from .screens.help import HelpScreen, help_rows

            sections = (*HELP, CHAT_SDK_HELP) if self.console_screen.inbox.chat_sdk else HELP
            self.push_screen(HelpScreen(help_rows(sections, CONSOLE_BINDINGS)))
        elif self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_stats(self) -> None:
        from .screens.stats import StatsScreen

        if self.console_screen is not None:
            self.push_screen(StatsScreen(self.console_screen.inbox, clock=self.settings.clock))

    def action_reload_converter(self) -> None:
        """Ctrl+L, on the console or in the simulator: one reload of the converter's
        module, and a fresh instance for the console and the simulator together."""
        from suppgram_tui.converters.reloading import ConverterUser, reload_for

        from .screens.simulator import SimulatorScreen

        users: list[ConverterUser] = []
        if self.console_screen is not None:
            users.append(self.console_screen.inbox)
        if self.is_screen_installed("simulator"):
            simulator = self.get_screen("simulator")
            if isinstance(simulator, SimulatorScreen) and simulator.simulation is not None:
                users.append(simulator.simulation)
        show_reload(self, reload_for(users))
        if self.console_screen is not None:
            self.console_screen.measure_reply()  # the line under the composer, anew

    def action_simulator(self) -> None:
        """Chat as customers on the same server, to try the console (and the converter)."""
        from .screens.simulator import SimulatorScreen

        if self.console_screen is None:
            return
        if not self.is_screen_installed("simulator"):
            link = self.runtime.settings.pubnub  # as started: a local server's origin
            settings = self.settings
            # customers never use the agents' token; installed, so that they stay
            # connected while the agent is back on the console
            self.install_screen(SimulatorScreen(
                replace(link, token=None), converter_path=settings.agent.converter_path,
                group=link.channel_groups[0], support_user=link.user_id,
                clock=settings.clock, first_customer=(settings.simulator.customer, None),
                typing_signals=settings.ui.presence_signals), "simulator")
        self.push_screen("simulator")


def show_reload(app: App[None], report: ReloadReport) -> None:
    """A reload's report as a toast: what was reloaded, or why nothing was."""
    log.info("converter reload: %s", report.text)
    app.notify(report.text, severity="information" if report.ok else "error",
               markup=False, timeout=10 if report.ok else 15)


def make_app(settings: Settings, runtime: ConsoleRuntime | None = None) -> SuppgramConsole:
    """Build the console; the CLI and the tests both start here."""
    limit_malloc_arenas()
    return SuppgramConsole(settings, runtime or ConsoleRuntime(settings))
