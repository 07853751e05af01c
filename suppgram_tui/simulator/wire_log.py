"""The workbench's record of every message: what was meant, what went over the wire,
and what the converter made of it, side by side.

A sent message is decoded again in the envelope PubNub will deliver it in (from the
customer, at its own instant, with the meta and custom message type the converter
gave it), so an envelope-aware converter is judged as the console will read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from suppgram_tui.converters import (
    ConverterLike,
    IgnoredMessage,
    OutgoingMessage,
    UndecodableMessage,
    WireMessage,
    decode_message,
    encode_message,
)
from suppgram_tui.converters.base import ignored_reason
from suppgram_tui.converters.checking import OPTIONAL_KINDS
from suppgram_tui.converters.differences import changed_fields, differences
from suppgram_tui.converters.envelope import Sender, delivered
from suppgram_tui.converters.guard import ConverterFailed
from suppgram_tui.model import Message

PUBLISH_FAILED = "publish failed: "
"""How a record's `error` begins when PubNub did not take the publish (not the
converter's doing: the inspector and the load report say it apart)."""


@dataclass
class WireRecord:
    """One message through the converter, sent or received, with any failure in words."""

    direction: str  # "sent" or "received"
    customer: str
    message: Message | None = None
    """The Message a sent record started from (None for raw JSON)."""
    payload: Any = None
    """The JSON on the wire: what convert_to_pubnub produced, or what arrived."""
    envelope: dict[str, Any] = field(default_factory=dict)
    """timetoken, publisher, channel, meta, custom_message_type as PubNub delivered (or
    acknowledged) them."""
    decoded: Message | None = None
    """What convert_from_pubnub made of the payload."""
    error: str | None = None
    changes: list[str] | None = None
    """Sent records: what Message → JSON → Message changed, in check-converter's words
    (empty when it gave back the same message; None when there was nothing to compare)."""
    changed: list[str] = field(default_factory=list)
    """The names of the fields that changed (time, kind, text, image)."""
    outgoing: OutgoingMessage | None = None
    """What to publish: the payload with the converter's meta and custom message type."""
    ignored: str | None = None
    """Why the converter said this is no chat message."""
    refused: bool = False
    """Not published: the converter cannot carry this kind (a rating, without "rated")."""
    source: str = ""
    """Who made it: "customer" (convert_to_pubnub of a simulated customer's Message),
    "raw" (JSON published as typed), "support" (a reply or notice from the support
    user) or "other" (another publisher on the customer's channel)."""

    @property
    def round_trip(self) -> bool | None:
        """Sent records: Message → JSON → Message gave back the same Message."""
        return None if self.changes is None else not self.changes

    @property
    def payload_json(self) -> str:
        try:
            return json.dumps(self.payload, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            return f"<not JSON: {error}>"

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if self.ignored is not None:
            return "ignored"
        if self.round_trip is False:
            return f"changed: {', '.join(self.changed)}" if self.changed else "mismatch"
        return "ok"


def encode(converter: ConverterLike, message: Message, sender: Sender | str) -> WireRecord:
    """convert_to_pubnub, then decode that JSON again as PubNub will deliver it from the
    customer (``sender``, or a customer id): the round-trip check. A kind the converter
    cannot carry is refused, not sent."""
    if isinstance(sender, str):
        sender = Sender(customer=sender, channel=f"{sender}-support")
    record = WireRecord("sent", sender.customer, source="customer", message=message)
    try:
        record.outgoing = encode_message(converter, message)  # JSON, or ConverterFailed
    except ConverterFailed as failed:
        record.error = str(failed)
        return _refuse_unknown_kind(record)
    record.payload = record.outgoing.message
    json_text = json.dumps(record.payload, allow_nan=False)
    probe = delivered(json_text, record.outgoing, publisher=sender.customer,
                      message=message, sender=sender)
    record.decoded, record.error, record.ignored = read(converter, probe)
    if record.decoded is not None:
        record.changes = differences(message, record.decoded)
        record.changed = changed_fields(message, record.decoded)
    return _refuse_unknown_kind(record)


def _refuse_unknown_kind(record: WireRecord) -> WireRecord:
    what = OPTIONAL_KINDS.get(record.message.kind) if record.message else None
    why = record.error or (f"the converter ignored it: {record.ignored}"
                           if record.ignored is not None else None)
    if what is not None and why is not None:
        record.refused = True
        record.error = (f"This converter cannot carry {what}, so none was sent: {why}. "
                        "Suppgram's MessageKind has no 'rated'.")
    return record


def received(converter: ConverterLike, wire: WireMessage, customer: str,
             support_user: str = "support") -> WireRecord:
    """What the customer's client received from someone else: the support user's reply
    or notice, or another publisher's message."""
    source = "support" if wire.publisher == support_user else "other"
    record = WireRecord("received", customer, source=source, payload=wire.message,
                        envelope=envelope_of(wire))
    record.decoded, record.error, record.ignored = read(converter, wire)
    return record


def raw(converter: ConverterLike, payload: Any, customer: str,
        wire: WireMessage | None = None) -> WireRecord:
    """Arbitrary JSON sent as the customer: only the decoding side can be checked, in
    the envelope it was delivered in (``wire``) once published."""
    record = WireRecord("sent", customer, source="raw", payload=payload)
    wire = wire or WireMessage(payload, "", customer, 0)
    record.decoded, record.error, record.ignored = read(converter, wire)
    return record


def read(converter: ConverterLike, wire: WireMessage
         ) -> tuple[Message | None, str | None, str | None]:
    """What the converter made of ``wire``: a message, why it could not, or why it
    ignored it."""
    try:
        return decode_message(converter, wire), None, None
    except IgnoredMessage as ignored:
        return None, None, ignored_reason(ignored)
    except UndecodableMessage as error:
        return None, str(error), None
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}: {error}", None


def decode(converter: ConverterLike, wire: WireMessage) -> tuple[Message | None, str | None]:
    message, error, ignored = read(converter, wire)
    return message, error if ignored is None else f"ignored: {ignored}"


def envelope_of(wire: WireMessage) -> dict[str, Any]:
    envelope = {"timetoken": wire.timetoken, "publisher": wire.publisher,
                "channel": wire.channel, "meta": wire.user_metadata}
    if wire.custom_message_type is not None:
        envelope["custom_message_type"] = wire.custom_message_type
    return envelope
