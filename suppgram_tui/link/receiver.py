"""The subscribe loop, owned by the link rather than the SDK's event engine.

SDK 10.8's own receive loop dies silently on an App Context or file event, or on one
malformed envelope (reference §12.1). Here the SDK still builds and signs every
request (a poll goes out through `long_poll.py`, a lighter client than the SDK's), but
the loop, the cursor and each envelope's decoding are ours: a bad envelope
becomes a `MalformedEnvelope`, a failed poll a reconnect from the same cursor, and a
crash of the loop itself a restart by the supervisor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from pubnub.endpoints.pubsub.subscribe import Subscribe

from suppgram_tui.model import ConnectionState

from .events import (
    STATE_PREFIX,
    AgentViewing,
    ChannelStateChanged,
    ChannelStateHint,
    ConnectionChanged,
    LinkEvent,
    MalformedEnvelope,
    MessageActionChanged,
    PresenceChanged,
    SignalReceived,
    WireMessage,
)
from .file_sharing import FILE_MESSAGE, file_of
from .long_poll import LongPoll

log = logging.getLogger(__name__)

PRESENCE_SUFFIX = "-pnpres"
"""Conversation state lives on `suppgram-state.<channel>`, not on the customer's channel:
customers never see assignees or tags, and their SDKs never receive App Context events
(which stop SDK 10.8's receive loop, reference §12.1). Consoles watch `suppgram-state.*`."""
MAX_BACKOFF = 30.0


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
    if payload.get("type") != "channel":
        return MalformedEnvelope(channel, payload, "App Context event for a non-channel object")
    target = str(data.get("id", channel)).removeprefix(STATE_PREFIX)
    if payload.get("event") == "delete":
        return ChannelStateChanged(target, None, None, removed=True)
    custom = data.get("custom")
    return ChannelStateChanged(target, custom if isinstance(custom, dict) else None,
                               data.get("eTag"))


class Receiver:
    """Long-polls channel groups from a cursor and hands each event to `deliver`."""

    def __init__(self, pubnub: Any, *, groups: list[str], channels: list[str],
                 deliver: Callable[[LinkEvent], None]) -> None:
        self._pubnub = pubnub
        self.groups = groups
        self.channels = channels
        self._deliver = deliver
        self.cursor = 0
        self.region: int | None = None
        self.polls = 0
        self.connected = asyncio.Event()
        self._stop = asyncio.Event()
        self._http = LongPoll(pubnub)

    async def handshake(self) -> int:
        """Take the server's current timetoken as the cursor, before any history is read."""
        body = await self._poll(0)
        self.cursor = int(body["t"]["t"])
        self.region = body["t"].get("r")
        if not self.connected.is_set():
            self.connected.set()
            self._deliver(ConnectionChanged(ConnectionState.CONNECTED))
        return self.cursor

    async def run(self) -> None:
        """Poll until stopped; any failure is a reconnect from the same cursor."""
        backoff = 0.25
        failing = False
        while not self._stop.is_set():
            try:
                if self.cursor == 0:
                    await self.handshake()
                body = await self._poll(self.cursor)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - every failure means "retry"
                if not failing:
                    failing = True
                    self.connected.clear()
                    self._deliver(ConnectionChanged(ConnectionState.RECONNECTING,
                                                    _describe(error)))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if failing:
                self._deliver(ConnectionChanged(ConnectionState.CONNECTED,
                                                resumed_from=self.cursor))
                failing, backoff = False, 0.25
                self.connected.set()
            self._dispatch(body)

    def stop(self) -> None:
        self._stop.set()

    async def close(self) -> None:
        """Let go of the poll's connection (after the loop has stopped)."""
        await self._http.close()

    def _dispatch(self, body: dict[str, Any]) -> None:
        for item in body.get("m") or []:
            event = decode_envelope(item)
            try:
                self._deliver(event)
            except Exception:  # a listener bug must not stop receiving
                log.exception("link event handler failed for %r", event)
        try:
            self.cursor = int(body["t"]["t"])
            self.region = body["t"].get("r", self.region)
        except (KeyError, TypeError, ValueError):
            log.warning("subscribe response without a cursor; keeping %s", self.cursor)

    async def _poll(self, cursor: int) -> dict[str, Any]:
        self.polls += 1
        request = Subscribe(self._pubnub).channel_groups(self.groups).channels(self.channels)
        request.timetoken(cursor)
        if cursor and self.region is not None:
            request.region(self.region)
        timeout = self._pubnub.config.subscribe_request_timeout + 15
        body = await self._http.get(request, timeout)
        if not isinstance(body, dict) or "t" not in body:
            raise ValueError(f"subscribe answered a body that is not PubNub's: {body!r}"[:200])
        return body


def _describe(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "the server did not answer in time"
    text = str(error) or type(error).__name__
    return f"connection problem: {text}"[:200]
