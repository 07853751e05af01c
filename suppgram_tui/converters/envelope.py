"""What goes around a payload: what a converter may add to a publish, and the envelope
PubNub delivers, built here the way PubNub would for checks that never reach it.

The console publishes each reply with meta naming the agent and a client id; a
converter may add meta of its own and a custom message type by returning an
``OutgoingMessage``. ``check-converter`` and the simulator's workbench decode what a
converter encoded in ``delivered(...)``: from the sender PubNub would name, at the
message's own instant, with the meta and custom message type as published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from suppgram_tui.model import Message, MessageKind
from suppgram_tui.timetokens import from_datetime

from .base import ConverterLike, WireMessage, normalize_message, short_repr
from .guard import ConverterFailed, call_converter, describe, wrong_result

CUSTOM_MESSAGE_TYPE = re.compile(r"(?!pn[-_])[A-Za-z0-9_-]{3,50}")
"""PubNub's rule: 3 to 50 letters, digits, '-' or '_', not starting with pn- or pn_."""
CONSOLE_META_KEYS = ("agent", "client_id")
"""Meta the console writes on every reply; a converter's own meta cannot replace them."""
AGENT_SIDE_KINDS = frozenset({MessageKind.FROM_AGENT, MessageKind.POSTPONED,
                              MessageKind.RESOLVED})
"""Kinds the console publishes, as the support user; customers publish the others."""


@dataclass(frozen=True)
class OutgoingMessage:
    """What ``convert_to_pubnub`` may return instead of a bare payload, to publish it
    with meta and a custom message type (both as PubNub's publish takes them)."""

    message: Any
    """The JSON-able payload."""
    meta: dict[str, Any] | None = None
    """Publish meta (a JSON object); the console adds ``agent`` and ``client_id``."""
    custom_message_type: str | None = None
    """PubNub's custom message type, e.g. ``"support-text"``."""

    def __post_init__(self) -> None:
        if self.meta is not None and not isinstance(self.meta, dict):
            raise TypeError(f"OutgoingMessage meta must be a dict (a JSON object), not "
                            f"{type(self.meta).__name__}")
        cmt = self.custom_message_type
        if cmt is not None and (not isinstance(cmt, str)
                                or not CUSTOM_MESSAGE_TYPE.fullmatch(cmt)):
            raise ValueError(f"custom message type {short_repr(cmt)} is not one PubNub "
                             "takes: 3 to 50 letters, digits, '-' or '_', not starting "
                             "with 'pn-' or 'pn_'")


def encode_message(converter: ConverterLike, message: Message) -> OutgoingMessage:
    """``convert_to_pubnub``'s answer, always as an ``OutgoingMessage`` whose payload
    and meta are JSON; ``ConverterFailed`` (a sentence) if it raised, hung, or returned
    something PubNub cannot carry."""
    result = call_converter(converter, "convert_to_pubnub", message)
    outgoing = result if isinstance(result, OutgoingMessage) else OutgoingMessage(result)
    if outgoing.message is None:
        raise wrong_result("convert_to_pubnub", None, "a payload to publish")
    for what, value in (("data", outgoing.message), ("meta", outgoing.meta)):
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as exc:
            raise ConverterFailed(f"convert_to_pubnub returned {what} that is not "
                                  f"JSON-serialisable: {describe(exc)}",
                                  method="convert_to_pubnub", returned=True) from exc
    return outgoing


def reply_publication(converter: ConverterLike, message: Message, *, agent: str,
                      client_id: str) -> OutgoingMessage:
    """A reply (or notice) as the console publishes it: the converter's payload and
    custom message type, its meta with the console's ``agent`` and ``client_id``."""
    outgoing = encode_message(converter, message)
    meta = {**(outgoing.meta or {}), "agent": agent, "client_id": client_id}
    return OutgoingMessage(outgoing.message, meta, outgoing.custom_message_type)


@dataclass(frozen=True)
class Sender:
    """Who sends what in a check: the support user the agents' messages come from, and
    the customer (and channel) everything else comes from."""

    support_user: str = "support"
    customer: str = "check-customer"
    channel: str = "check-customer-support"
    group: str = "support"
    agent: str = "check-agent"


def publication(converter: ConverterLike, message: Message, sender: Sender,
                client_id: str = "8f14e45fceea167a5a36dedd4bea2543"
                ) -> tuple[OutgoingMessage, str]:
    """``message`` as its sender would publish it, and the publisher PubNub would name:
    agents' kinds as a console reply, the rest as the customer's app sends them."""
    if normalize_message(message).kind in AGENT_SIDE_KINDS:
        reply = reply_publication(converter, message, agent=sender.agent, client_id=client_id)
        return reply, sender.support_user
    return encode_message(converter, message), sender.customer


def delivered(payload_json: str, outgoing: OutgoingMessage, *, publisher: str,
              message: Message, sender: Sender) -> WireMessage:
    """The envelope PubNub would deliver for a publish of ``payload_json``: from
    ``publisher``, at ``message``'s own instant, meta and custom type as published."""
    meta = json.loads(json.dumps(outgoing.meta)) if outgoing.meta else None
    return WireMessage(message=json.loads(payload_json), channel=sender.channel,
                       publisher=publisher, timetoken=from_datetime(message.time_utc),
                       user_metadata=meta, subscription=sender.group,
                       custom_message_type=outgoing.custom_message_type)
