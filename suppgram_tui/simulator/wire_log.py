"""The workbench's record of every message: what was meant, what went over the wire,
and what the converter made of it, side by side."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from suppgram_tui.converters import (
    ConverterLike,
    UndecodableMessage,
    WireMessage,
    decode_message,
)
from suppgram_tui.converters.differences import differences
from suppgram_tui.model import Message


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
    """timetoken, publisher, channel, meta as PubNub delivered (or acknowledged) them."""
    decoded: Message | None = None
    """What convert_from_pubnub made of the payload."""
    error: str | None = None
    changes: list[str] | None = None
    """Sent records: what Message → JSON → Message changed, in check-converter's words
    (empty when it gave back the same message; None when there was nothing to compare)."""

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
        if self.round_trip is False:
            return "mismatch"
        return "ok"


def encode(converter: ConverterLike, message: Message, customer: str) -> WireRecord:
    """convert_to_pubnub, then decode that JSON again: the round-trip check."""
    record = WireRecord("sent", customer, message=message)
    try:
        record.payload = converter.convert_to_pubnub(message)
        json.dumps(record.payload)
    except Exception as error:  # noqa: BLE001 - the workbench reports, never crashes
        record.error = f"convert_to_pubnub raised {type(error).__name__}: {error}"
        return record
    probe = WireMessage(json.loads(json.dumps(record.payload)), "", customer, 0)
    record.decoded, record.error = decode(converter, probe)
    decoded = record.decoded
    if decoded is not None:
        record.changes = differences(message, decoded)
    return record


def received(converter: ConverterLike, wire: WireMessage, customer: str) -> WireRecord:
    record = WireRecord("received", customer, payload=wire.message,
                        envelope=envelope_of(wire))
    record.decoded, record.error = decode(converter, wire)
    return record


def raw(converter: ConverterLike, payload: Any, customer: str) -> WireRecord:
    """Arbitrary JSON sent as the customer: only the decoding side can be checked."""
    record = WireRecord("sent", customer, payload=payload)
    record.decoded, record.error = decode(converter, WireMessage(payload, "", customer, 0))
    return record


def decode(converter: ConverterLike, wire: WireMessage) -> tuple[Message | None, str | None]:
    try:
        return decode_message(converter, wire), None
    except UndecodableMessage as error:
        return None, str(error)
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}: {error}"


def envelope_of(wire: WireMessage) -> dict[str, Any]:
    return {"timetoken": wire.timetoken, "publisher": wire.publisher,
            "channel": wire.channel, "meta": wire.user_metadata}
