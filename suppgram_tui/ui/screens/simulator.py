"""The customer simulator and converter workbench.

Chat as any number of customers, each its own PubNub client; the inspector shows every
message side by side: the Message, the JSON the converter produced, the envelope as
PubNub delivered it, and what the converter read back (or the exception it raised).

Inside the console (F4) it is a screen the agent leaves and comes back to, its customers
still online; run on its own (`suppgram-tui simulate`) leaving it ends them, so it asks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.widgets import Footer, Static

from suppgram_tui.converters import load_converter
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.simulator.customers import CustomerChanged, RecordAdded, Simulation
from suppgram_tui.simulator.startup import SimulatorError, keyset_text
from suppgram_tui.text import one_line
from suppgram_tui.timetokens import now_utc

from ..widgets.customer_composer import CustomerComposer
from ..widgets.customer_list import CustomerList
from ..widgets.transcript import Transcript
from ..widgets.wire_inspector import WireInspector
from . import simulator_dialogs as dialogs
from .simulator_dialog_actions import DialogActions
from .simulator_keys import SIMULATOR_BINDINGS, in_footer_order

NARROW = 100
"""Below this many columns the wire log is hidden (F2 shows it under the chat), so the
chat keeps a usable width at 80 columns."""


class SimulationUpdated(TextualMessage):
    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class SimulatorScreen(DialogActions):
    """Customers on the left, the selected customer's chat, the wire inspector right."""

    BINDINGS: ClassVar[list[BindingType]] = SIMULATOR_BINDINGS
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"), (NARROW, "-wide")]

    def __init__(self, settings: LinkSettings, *, converter_path: str,
                 group: str = "support", support_user: str = "support",
                 first_customer: tuple[str | None, str | None] | None = (None, None),
                 clock: Callable[[], datetime] | None = None, standalone: bool = False,
                 typing_signals: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.converter_path = converter_path
        self.group = group
        self.support_user = support_user
        self.first_customer = first_customer
        self.clock = clock or now_utc
        self.standalone = standalone
        self.typing_signals = typing_signals
        self.simulation: Simulation | None = None
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        # on its own, the title says the keyset and how to start a console on the same origin
        origin = f"--origin {self.settings.origin}" if self.settings.origin else "PubNub"
        where = f" · {keyset_text(self.settings)} · consoles: {origin}" if self.standalone \
            else ""  # from F4: the console's own keyset
        yield Static(Content(f"Customer simulator{where} · group {self.group} · "
                             f"converter {self.converter_path}"), id="sim-title")
        with Horizontal(id="sim-main"):
            yield CustomerList(typed=self._typed_in_list, send=self._send_from_list,
                               id="sim-customers")
            with Vertical(id="sim-chat"):
                yield Static(Content("Starting…"), id="sim-header")
                transcript = Transcript(support_user=self.support_user, id="sim-transcript")
                transcript.can_focus = False  # Tab goes list → composer; typing is not lost
                yield transcript
                yield CustomerComposer(id="sim-composer")
            yield WireInspector(id="sim-inspector")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.start()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return in_footer_order(super().active_bindings)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 and Escape: back to the console inside it, quit when run on its own."""
        if action == "back":
            return not self.standalone
        if action == "quit_simulator":
            return self.standalone
        return True

    @work(exclusive=True, group="sim-start", exit_on_error=False)
    async def start(self) -> None:
        converter = load_converter(self.converter_path)
        self.simulation = Simulation(self.settings, converter=converter, group=self.group,
                                     support_user=self.support_user, clock=self.clock)

        def forward(event: object) -> None:
            self.post_message(SimulationUpdated(event))

        self.simulation.listen(forward)
        if self.first_customer is not None:
            user_id, channel = self.first_customer
            try:
                customer = await self.simulation.add_customer(user_id, channel)
            except SimulatorError as error:  # instead of "Starting…" forever
                self.query_one("#sim-header", Static).update(Content(str(error)))
                raise
            self.select(customer.user_id)
        self.composer.focus()

    # updates ---------------------------------------------------------------------------

    @on(SimulationUpdated)
    def simulation_updated(self, message: SimulationUpdated) -> None:
        event = message.event
        if isinstance(event, CustomerChanged):
            self._refresh_customers()
            if event.user_id == self.selected:
                self._refresh_chat()
        elif isinstance(event, RecordAdded):
            self.query_one(WireInspector).add(event.record)

    def _refresh_customers(self) -> None:
        if self.simulation is not None:
            self.query_one(CustomerList).show_customers(
                ((c.user_id, c.online) for c in self.simulation.customers.values()),
                self.selected)

    def _refresh_chat(self) -> None:
        if self.simulation is None or self.selected is None:
            return
        customer = self.simulation.customers[self.selected]
        state = "online" if customer.online else "offline"
        typing = " · agent is typing…" if customer.agent_typing else ""
        self.query_one("#sim-header", Static).update(Content(
            f"{one_line(customer.user_id, 40)} · {state}{typing} · "
            f"{one_line(customer.link.channel, 40)}"))
        self.query_one("#sim-transcript", Transcript).entries_changed()

    @on(CustomerList.OptionHighlighted, "#sim-customers")
    def customer_highlighted(self, event: CustomerList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.selected:
            self.select(event.option.id)

    def _typed_in_list(self, text: str) -> None:
        composer = self.composer
        composer.insert(text)
        composer.focus()

    def _send_from_list(self) -> None:
        self.composer.action_submit()

    @on(CustomerList.Chat)
    def chat_as_selected(self) -> None:
        self.composer.focus()

    def select(self, user_id: str) -> None:
        if self.simulation is None:
            return
        self.selected = user_id
        self.query_one("#sim-transcript", Transcript).show(
            self.simulation.customers[user_id].view)
        self._refresh_customers()
        self._refresh_chat()

    # chatting --------------------------------------------------------------------------

    @on(CustomerComposer.Submitted)
    def send(self, message: CustomerComposer.Submitted) -> None:
        self.composer.load_text("")
        self.say(message.text)

    @on(CustomerComposer.Page)
    def page_chat(self, message: CustomerComposer.Page) -> None:
        self.query_one("#sim-transcript", Transcript).page(message.step)

    @on(CustomerComposer.Typing)
    def composing(self) -> None:
        if self.selected is not None and self.typing_signals:
            self.send_typing(self.selected)

    @work(group="sim-typing", exclusive=True, exit_on_error=False)
    async def send_typing(self, user_id: str) -> None:
        if self.simulation is not None:
            await self.simulation.typing(user_id)

    @work(group="sim-send", exit_on_error=False)
    async def say(self, text: str) -> None:
        if self.simulation is None or self.selected is None:
            self.notify("Create a customer first (Ctrl+N).", severity="warning")
            return
        user_id = self.selected
        record = await self.simulation.say(user_id, text)
        self._report(record)
        if not record.envelope and user_id == self.selected:  # not published: kept
            self._give_back(text)

    def _give_back(self, text: str) -> None:
        """Back in the composer, before anything typed since, as the console keeps a
        reply it could not send."""
        composer = self.composer
        since = composer.text
        composer.load_text(f"{text}\n{since}" if since.strip() else text)
        composer.move_cursor(composer.document.end)

    def action_new_customer(self) -> None:
        self.new_customer()

    @work(group="sim-new", exit_on_error=False)
    async def new_customer(self) -> None:
        if self.simulation is not None:
            customer = await self.simulation.add_customer()
            self.select(customer.user_id)

    def action_toggle_online(self) -> None:
        if self.simulation is not None and self.selected is not None:
            customer = self.simulation.customers[self.selected]
            self.set_online(self.selected, not customer.online)

    @work(group="sim-presence", exit_on_error=False)
    async def set_online(self, user_id: str, online: bool) -> None:
        if self.simulation is not None:
            await self.simulation.set_online(user_id, online)


    def action_help(self) -> None:
        """F1: the simulator's own keys, as the console's F1 gives the console's."""
        from .help import HelpScreen
        from .simulator_keys import simulator_help

        self.app.push_screen(HelpScreen(simulator_help()))

    def action_toggle_wire(self) -> None:
        self.toggle_class("-wire-toggled")

    # leaving ---------------------------------------------------------------------------

    def action_back(self) -> None:
        """Inside the console: its customers stay online until the console quits."""
        self.app.pop_screen()

    def action_quit_simulator(self, key: str = "f4") -> None:
        """On its own: quitting takes every simulated customer offline, so ask first."""
        count = len(self.simulation.customers) if self.simulation is not None else 0
        if count == 0:
            self.app.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.exit()
        self.app.push_screen(dialogs.quit_question(count, key=key), answered)

    async def on_unmount(self) -> None:
        if self.simulation is not None:
            await self.simulation.stop()
