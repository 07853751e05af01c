"""A set of simulated customers, each with its own PubNub client, seen as it sees itself."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from suppgram_tui.converters import ConverterLike, WireMessage, configure_converter
from suppgram_tui.converters.envelope import OutgoingMessage, Sender
from suppgram_tui.converters.reloading import reload_for
from suppgram_tui.inbox.conversation import Author, Conversation, Delivery, Entry
from suppgram_tui.link.customer import CustomerLink
from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.events import LinkEvent, SignalReceived
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.timetokens import now_utc

from . import wire_log
from .startup import SimulatorError, explain
from .wire_log import WireRecord

log = logging.getLogger(__name__)
AGENT_TYPING_SECONDS = 6.0


@dataclass(frozen=True, slots=True)
class CustomerChanged:
    user_id: str


@dataclass(frozen=True, slots=True)
class RecordAdded:
    record: WireRecord


@dataclass
class SimulatedCustomer:
    user_id: str
    link: CustomerLink
    view: Conversation
    agent_typing: bool = False
    records: list[WireRecord] = field(default_factory=list)

    @property
    def online(self) -> bool:
        return self.link.online


class Simulation:
    """Creates customers and chats as them, recording every message for the inspector."""

    converter_role = "the simulator"

    def __init__(self, settings: LinkSettings, *, converter: ConverterLike,
                 group: str = "support", support_user: str = "support",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.converter = configure_converter(converter, support_user=support_user)
        self.group = group
        self.support_user = support_user
        self.clock = clock or now_utc
        self.customers: dict[str, SimulatedCustomer] = {}
        self.records: list[WireRecord] = []
        self._listeners: list[Callable[[object], None]] = []
        self._typing_timers: dict[str, asyncio.TimerHandle] = {}

    def listen(self, listener: Callable[[object], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: object) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("simulation listener failed on %r", event)

    async def add_customer(self, user_id: str | None = None, channel: str | None = None,
                           ) -> SimulatedCustomer:
        """A new customer with its own client; its channel joins the support group."""
        user_id = user_id or f"customer-{uuid.uuid4().hex[:8]}"
        channel = channel or f"{user_id}-support"
        link = CustomerLink(self.settings, user_id=user_id, channel=channel, group=self.group,
                            on_event=lambda event: self._on_event(user_id, event))
        customer = SimulatedCustomer(user_id, link, Conversation(channel))
        self.customers[user_id] = customer
        try:
            await link.start()
        except LinkRequestError as error:
            del self.customers[user_id]
            await link.stop()
            why = explain(error, self.settings, self.group)
            log.warning("customer %s cannot start: %s", user_id, why)
            raise SimulatorError(why) from None
        for wire in await link.history():
            self._show(customer, wire, record=False)
        self._emit(CustomerChanged(user_id))
        return customer

    async def say(self, user_id: str, text: str) -> WireRecord:
        return await self.send_message(user_id, Message(MessageKind.FROM_CUSTOMER,
                                                        self.clock(), text))

    async def rate(self, user_id: str, rating: int, comment: str = "") -> WireRecord:
        """A `rated` message: the text is the rating, then an optional comment."""
        if not 1 <= rating <= 5:
            raise ValueError("A rating is a whole number from 1 to 5.")
        text = f"{rating} {comment}".strip()
        return await self.send_message(user_id, Message(MessageKind.RATED, self.clock(), text))

    async def send_message(self, user_id: str, message: Message) -> WireRecord:
        """Encode and publish as the customer's app would; a kind the converter cannot
        carry (a rating, for a converter without "rated") is refused, not published."""
        customer = self.customers[user_id]
        record = wire_log.encode(self.converter, message, self._sender(customer))
        encoded = not (record.error or "").startswith("convert_to_pubnub")
        if record.outgoing is not None and encoded and not record.refused:
            await self._publish(customer, record)
        self._add_record(customer, record)
        return record

    async def send_raw(self, user_id: str, payload: Any, *, meta: dict[str, Any] | None = None,
                       publisher: str | None = None,
                       custom_message_type: str | None = None) -> WireRecord:
        """Publish arbitrary JSON on the customer's channel, as the customer or as
        another ``publisher`` (a bot), to see how the converter (and the console) cope
        with it as it will be delivered."""
        customer = self.customers[user_id]
        record = wire_log.WireRecord("sent", user_id, source="raw", payload=payload,
                                     outgoing=OutgoingMessage(payload, meta,
                                                              custom_message_type))
        await self._publish(customer, record, publisher)
        envelope = record.envelope
        wire = WireMessage(payload, customer.link.channel, envelope["publisher"],
                           envelope["timetoken"], meta, subscription=self.group,
                           custom_message_type=custom_message_type) if envelope else None
        decoded = wire_log.raw(self.converter, payload, user_id, wire)
        record.decoded, record.ignored = decoded.decoded, decoded.ignored
        record.error = record.error or decoded.error
        self._add_record(customer, record)
        return record

    def _sender(self, customer: SimulatedCustomer) -> Sender:
        return Sender(support_user=self.support_user, customer=customer.user_id,
                      channel=customer.link.channel, group=self.group)

    async def _publish(self, customer: SimulatedCustomer, record: WireRecord,
                       publisher: str | None = None) -> None:
        outgoing = record.outgoing
        meta = outgoing.meta if outgoing else None
        custom_type = outgoing.custom_message_type if outgoing else None
        try:
            if publisher is None:
                timetoken = await customer.link.publish(record.payload, meta, custom_type)
            else:
                timetoken = await customer.link.publish_as(publisher, record.payload, meta,
                                                           custom_type)
        except LinkRequestError as error:
            record.error = f"{wire_log.PUBLISH_FAILED}{error}"
            return
        record.envelope = {"timetoken": timetoken, "publisher": publisher or customer.user_id,
                           "channel": customer.link.channel, "meta": meta}
        if custom_type is not None:
            record.envelope["custom_message_type"] = custom_type

    async def set_online(self, user_id: str, online: bool) -> None:
        customer = self.customers[user_id]
        if online:
            await customer.link.go_online()
        else:
            await customer.link.go_offline()
        self._emit(CustomerChanged(user_id))

    async def typing(self, user_id: str) -> None:
        try:
            await self.customers[user_id].link.typing()
        except LinkRequestError as error:
            log.info("typing signal failed: %s", error)

    def use_converter(self, converter: ConverterLike) -> None:
        """Encode and decode with `converter` from now on (Ctrl+L reloaded it)."""
        self.converter = configure_converter(converter, support_user=self.support_user)

    def reload_converter(self) -> str:
        """Re-import the converter's module for this simulation alone (run on its own);
        a sentence saying what was reloaded, or why nothing was."""
        return reload_for([self]).text

    async def stop(self) -> None:
        await asyncio.gather(*(c.link.stop() for c in self.customers.values()),
                             return_exceptions=True)

    # incoming -----------------------------------------------------------------------

    def _on_event(self, user_id: str, event: LinkEvent) -> None:
        customer = self.customers.get(user_id)
        if customer is None:
            return
        if isinstance(event, WireMessage):
            self._show(customer, event, record=True)
        elif isinstance(event, SignalReceived) and event.publisher == self.support_user:
            customer.agent_typing = True
            self._restart_typing(customer)
            self._emit(CustomerChanged(user_id))

    def _show(self, customer: SimulatedCustomer, wire: WireMessage, *, record: bool) -> None:
        """Add a message to what the customer sees (own messages come back as echoes)."""
        own = wire.publisher == customer.user_id
        if record and not own:  # decoded once: a converter that hangs costs 2 s, not 4
            received = wire_log.received(self.converter, wire, customer.user_id,
                                         self.support_user)
            self._add_record(customer, received)
            decoded, error = received.decoded, received.error
            if received.ignored is not None:
                error = f"ignored: {received.ignored}"
        else:
            decoded, error = wire_log.decode(self.converter, wire)
        author = Author.ME if own else Author.AGENT
        if decoded is not None and not own and decoded.kind in (
                MessageKind.RESOLVED, MessageKind.POSTPONED):
            author = Author.SYSTEM
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else None
        # the support user's messages name their agent; another publisher (a bot) itself
        sender = (meta or {}).get("agent") if wire.publisher == self.support_user \
            else wire.publisher
        sender = sender if isinstance(sender, str) else None
        entry = Entry(wire.channel, wire.timetoken, wire.publisher, wire.message, author,
                      decoded, error, meta, sender,
                      delivery=Delivery.SENT if own else None)
        if customer.view.add(entry):
            if not own:
                customer.agent_typing = False
            self._emit(CustomerChanged(customer.user_id))

    def _add_record(self, customer: SimulatedCustomer, record: WireRecord) -> None:
        customer.records.append(record)
        self.records.append(record)
        self._emit(RecordAdded(record))

    def _restart_typing(self, customer: SimulatedCustomer) -> None:
        timer = self._typing_timers.pop(customer.user_id, None)
        if timer is not None:
            timer.cancel()

        def expire() -> None:
            customer.agent_typing = False
            self._emit(CustomerChanged(customer.user_id))

        self._typing_timers[customer.user_id] = asyncio.get_running_loop().call_later(
            AGENT_TYPING_SECONDS, expire)
