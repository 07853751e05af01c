"""Each subscribe envelope (an `m[]` item) as the link event it is.

Messages, signals, presence, App Context, message actions, memberships and files arrive
on one loop; anything this cannot read becomes a `MalformedEnvelope` rather than an
exception, so one bad envelope never stops the loop (reference §12.1).
"""

from __future__ import annotations

from typing import Any

from .chat_sdk import last_read_of
from .events import (
    STATE_PREFIX,
    AgentViewing,
    ChannelStateChanged,
    ChannelStateHint,
    LinkEvent,
    MalformedEnvelope,
    MembershipChanged,
    MessageActionChanged,
    PresenceChanged,
    SignalReceived,
    WireMessage,
)
from .file_sharing import FILE_MESSAGE, file_of

PRESENCE_SUFFIX = "-pnpres"
"""Presence events arrive on the channel's name with this suffix."""


def decode_envelope(item: Any) -> LinkEvent:
    """One `m[]` item to a link event; anything unreadable becomes `MalformedEnvelope`."""
    channel = item.get("c") if isinstance(item, dict) else None
    try:
        channel = str(item["c"])
        payload = item["d"]
        timetoken = int(item["p"]["t"])
        publisher = item.get("i")
        if publisher is not None and not isinstance(publisher, str):
            raise ValueError("publisher is not a string")
        kind = int(item.get("e") or 0)
        if channel.endswith(PRESENCE_SUFFIX):
            return PresenceChanged(
                channel=channel[: -len(PRESENCE_SUFFIX)], uuid=payload.get("uuid"),
                action=str(payload["action"]), occupancy=int(payload.get("occupancy", 0)),
                state=payload.get("data") if isinstance(payload.get("data"), dict) else None)
        if kind == 1:
            if channel.startswith(STATE_PREFIX):
                target = channel.removeprefix(STATE_PREFIX)
                if isinstance(payload, dict):  # {"v": agent} viewing, {"l": agent} left
                    agent = payload.get("v") or payload.get("l")
                    if not isinstance(agent, str) or not agent.strip():
                        raise ValueError("a viewing signal that names no agent")
                    return AgentViewing(target, agent, "v" in payload, publisher)
                return ChannelStateHint(target, str(payload), publisher)
            return SignalReceived(channel, publisher, payload, timetoken)
        if kind == 2:
            return _objects_event(channel, payload)
        if kind == 3:
            return _message_action(channel, payload, publisher)
        custom_type = item.get("cmt")
        file = None
        if kind == FILE_MESSAGE:  # the message sent with the file, and the file
            payload, file = file_of(payload)
        return WireMessage(message=payload, channel=channel, publisher=publisher,
                           timetoken=timetoken, user_metadata=item.get("u"),
                           subscription=item.get("b"),
                           custom_message_type=custom_type if isinstance(custom_type, str)
                           else None, file=file)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return MalformedEnvelope(channel if isinstance(channel, str) else None, item,
                                 f"unreadable envelope: {error!r}")


def _message_action(channel: str, payload: dict[str, Any],
                    publisher: str | None) -> LinkEvent:
    """An `e:3` envelope: `{"event": "added"|"removed", "data": {type, value, ...}}`."""
    event, data = payload.get("event"), payload["data"]
    if event not in ("added", "removed"):
        raise ValueError(f"a message action event {event!r}")
    return MessageActionChanged(
        channel=channel, message_timetoken=int(data["messageTimetoken"]),
        type=str(data["type"]), value=str(data["value"]), publisher=publisher,
        action_timetoken=int(data.get("actionTimetoken") or 0), removed=event == "removed")


def _objects_event(channel: str, payload: dict[str, Any]) -> LinkEvent:
    data = payload.get("data") or {}
    if payload.get("type") == "membership":
        return _membership_event(channel, payload, data)
    if payload.get("type") != "channel":
        return MalformedEnvelope(channel, payload, "App Context event for a non-channel object")
    target = str(data.get("id", channel)).removeprefix(STATE_PREFIX)
    if payload.get("event") == "delete":
        return ChannelStateChanged(target, None, None, removed=True)
    custom = data.get("custom")
    return ChannelStateChanged(target, custom if isinstance(custom, dict) else None,
                               data.get("eTag"))


def _membership_event(channel: str, payload: dict[str, Any], data: dict[str, Any]
                      ) -> LinkEvent:
    """`{"type": "membership", "data": {"channel": {"id"}, "uuid": {"id"}, "custom"}}`,
    sent on the channel and on the user's own channel: the data names both."""
    member, of = data.get("uuid"), data.get("channel")
    uuid = member.get("id") if isinstance(member, dict) else None
    target = of.get("id") if isinstance(of, dict) else None
    if not isinstance(uuid, str) or not isinstance(target, str):
        return MalformedEnvelope(channel, payload, "a membership event without its ids")
    custom = data.get("custom")
    return MembershipChanged(target, uuid, last_read_of(custom),
                             custom_sent=isinstance(custom, dict),
                             removed=payload.get("event") == "delete")
