"""The customer simulator and converter workbench.

Chat as any number of customers, each its own PubNub client; the inspector shows every
message side by side: the Message, the JSON the converter produced, the envelope as
PubNub delivered it, and what the converter read back (or the exception it raised).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from suppgram_tui.converters import load_converter
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.simulator.customers import CustomerChanged, RecordAdded, Simulation
from suppgram_tui.simulator.startup import SimulatorError, keyset_text
from suppgram_tui.simulator.wire_log import WireRecord
from suppgram_tui.text import one_line, visible

from ..inspector import describe
from ..widgets.composer import Composer
from ..widgets.transcript import Transcript
from .prompt import PromptScreen


class SimulationUpdated(TextualMessage):
    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event


class SimulatorScreen(Screen[None]):
    """Customers on the left, the selected customer's chat, the wire inspector right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_customer", "New customer", priority=True),
        Binding("ctrl+o", "toggle_online", "Online/offline", priority=True),
        Binding("ctrl+r", "rate", "Rate", priority=True),
        Binding("ctrl+e", "raw", "Send raw JSON", priority=True),
        Binding("ctrl+l", "reload", "Reload converter", priority=True),
        Binding("f4,escape", "leave", "Back to console"),
    ]

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
        self.clock = clock
        self.standalone = standalone
        self.typing_signals = typing_signals
        self.simulation: Simulation | None = None
        self.selected: str | None = None
        self._records: dict[str, WireRecord] = {}
        """The inspector's rows by their key."""

    def compose(self) -> ComposeResult:
        where = f"{keyset_text(self.settings)} · " if self.standalone else ""  # F4: the console's
        yield Static(Content(f"Customer simulator · {where}converter {self.converter_path} · "
                             f"group {self.group}"), id="sim-title")
        with Horizontal(id="sim-main"):
            yield OptionList(id="sim-customers")
            with Vertical(id="sim-chat"):
                yield Static(Content("Starting…"), id="sim-header")
                yield Transcript(support_user=self.support_user, id="sim-transcript")
                yield Composer(id="sim-composer")
            with Vertical(id="sim-inspector"):
                yield DataTable(id="sim-records", cursor_type="row", zebra_stripes=True)
                yield Static(id="sim-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#sim-records", DataTable)
        table.add_columns("#", "dir", "check", "customer", "JSON")
        self.start()

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
        self.query_one("#sim-composer", Composer).focus()

    # updates ---------------------------------------------------------------------------

    @on(SimulationUpdated)
    def simulation_updated(self, message: SimulationUpdated) -> None:
        event = message.event
        if isinstance(event, CustomerChanged):
            self._refresh_customers()
            if event.user_id == self.selected:
                self._refresh_chat()
        elif isinstance(event, RecordAdded):
            self._add_record(event.record)

    def _refresh_customers(self) -> None:
        if self.simulation is None:
            return
        options = self.query_one("#sim-customers", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for user_id, customer in self.simulation.customers.items():
            dot = "●" if customer.online else "○"
            options.add_option(Option(Content(f"{dot} {one_line(user_id, 30)}"), id=user_id))
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted

    def _refresh_chat(self) -> None:
        if self.simulation is None or self.selected is None:
            return
        customer = self.simulation.customers[self.selected]
        state = "online" if customer.online else "offline"
        typing = " · agent is typing…" if customer.agent_typing else ""
        self.query_one("#sim-header", Static).update(Content(
            f"{one_line(customer.user_id, 40)} · {one_line(customer.link.channel, 40)} · "
            f"{state}{typing}"))
        self.query_one("#sim-transcript", Transcript).entries_changed()

    def _add_record(self, record: WireRecord) -> None:
        table = self.query_one("#sim-records", DataTable)
        index = table.row_count + 1
        # DataTable reads a str cell as markup: a payload or user id is data, so Text
        table.add_row(str(index), record.direction, Text(record.status),
                      Text(one_line(record.customer, 16)),
                      Text(one_line(record.payload_json, 60)), key=str(index))
        self._records[str(index)] = record
        table.move_cursor(row=table.row_count - 1)

    @on(DataTable.RowHighlighted, "#sim-records")
    def show_record(self, event: DataTable.RowHighlighted) -> None:
        record = self._records.get(str(event.row_key.value))
        if record is not None:
            self.query_one("#sim-detail", Static).update(Content(describe(record)))

    @on(OptionList.OptionHighlighted, "#sim-customers")
    def customer_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.select(event.option.id)

    def select(self, user_id: str) -> None:
        if self.simulation is None:
            return
        self.selected = user_id
        self.query_one("#sim-transcript", Transcript).show(
            self.simulation.customers[user_id].view)
        self._refresh_customers()
        self._refresh_chat()

    # chatting --------------------------------------------------------------------------

    @on(Composer.Submitted)
    def send(self, message: Composer.Submitted) -> None:
        self.query_one("#sim-composer", Composer).load_text("")
        self.say(message.text)

    @on(Composer.Typing)
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
        record = await self.simulation.say(self.selected, text)
        self._report(record)

    def _report(self, record: WireRecord) -> None:
        if record.error:
            self.notify(visible(record.error), severity="error", markup=False, timeout=8)
        elif record.round_trip is False:
            self.notify("Round trip changed the message: see the inspector.",
                        severity="warning", timeout=6)

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

    def action_rate(self) -> None:
        if self.selected is None:
            return

        def rated(answer: str | None) -> None:
            if not answer:
                return
            rating, _, comment = answer.strip().partition(" ")
            if rating not in {"1", "2", "3", "4", "5"}:
                self.notify("A rating is a number from 1 to 5, then an optional comment.",
                            severity="warning")
                return
            self.send_rating(int(rating), comment)
        self.app.push_screen(PromptScreen("Rate the conversation: 1–5, then a comment",
                                          placeholder="5 quick and kind"), rated)

    @work(group="sim-send", exit_on_error=False)
    async def send_rating(self, rating: int, comment: str) -> None:
        if self.simulation is not None and self.selected is not None:
            self._report(await self.simulation.rate(self.selected, rating, comment))

    def action_raw(self) -> None:
        if self.selected is None:
            return

        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                payload = json.loads(text)
            except ValueError as error:
                self.notify(f"That is not JSON: {error}", severity="error", markup=False)
                return
            self.send_raw(payload)
        self.app.push_screen(PromptScreen("Raw JSON to publish as this customer",
                                          placeholder='{"kind": "from_customer", ...}'),
                             chosen)

    @work(group="sim-send", exit_on_error=False)
    async def send_raw(self, payload: object) -> None:
        if self.simulation is not None and self.selected is not None:
            self._report(await self.simulation.send_raw(self.selected, payload))

    def action_reload(self) -> None:
        if self.simulation is None:
            return
        try:
            self.notify(self.simulation.reload_converter(), markup=False)
        except Exception as error:  # noqa: BLE001 - an edited converter may not even import
            self.notify(f"Reload failed: {error}", severity="error", markup=False, timeout=10)

    def action_leave(self) -> None:
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()

    async def on_unmount(self) -> None:
        if self.simulation is not None:
            await self.simulation.stop()
