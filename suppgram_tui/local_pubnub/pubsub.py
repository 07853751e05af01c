"""Publish, signal and subscribe v2 long-poll (reference §2–§4)."""

from __future__ import annotations

import asyncio
import re
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from . import json_input
from .access.policy import Need
from .clock import now_ticks
from .errors import json_response, publish_error, service_error
from .events import FILE, PRESENCE_SUFFIX, REGION, SIGNAL, Event
from .keyset import Subscription
from .message_filter import FilterSyntaxError, MessageFilter, compile_filter
from .persistence import StoredMessage
from .routing import Call, split_names, split_query_names

if TYPE_CHECKING:
    from .server import LocalServer

MAX_PUBLISH_BYTES = 32 * 1024
MAX_SIGNAL_BYTES = 64
MAX_EVENTS_PER_POLL = 100
CUSTOM_TYPE = re.compile(r"^(?!pn[-_])[A-Za-z0-9_-]{3,50}$")


def register(server: LocalServer) -> None:
    router = server.router
    router.add("GET", "/publish/{pub}/{sub}/0/{channel}/0/{message}", publish,
               needs=_write_channel)
    router.add("POST", "/publish/{pub}/{sub}/0/{channel}/0", publish, needs=_write_channel)
    router.add("GET", "/signal/{pub}/{sub}/0/{channel}/0/{message}", signal,
               needs=_write_channel)
    router.add("GET", "/v2/subscribe/{sub}/{channels}/0", subscribe, needs=_read_subscribed)


def _write_channel(call: Call) -> list[Need]:
    return [Need("channels", call.params["channel"], "write")]


def _read_subscribed(call: Call) -> list[Need]:
    channels = split_names(call.raw_params["channels"])
    groups = split_query_names(call.query.get("channel-group"))
    return [Need("channels", ch, "read") for ch in channels] + [
        Need("groups", g, "read") for g in groups
    ]


async def _message_text(call: Call) -> str:
    """The JSON text of a publish: in the path (GET) or the body (POST, maybe zlib)."""
    if call.request.method == "GET":
        return call.params["message"]
    body = await call.request.read()
    if call.request.headers.get("Content-Encoding", "").lower() in ("gzip", "deflate"):
        inflater = zlib.decompressobj(wbits=47)  # the SDK sends zlib labelled gzip
        try:  # inflate no further than the limit: a few KiB can inflate to gigabytes
            body = inflater.decompress(body, MAX_PUBLISH_BYTES + 1)
        except zlib.error:
            raise publish_error(400, "Invalid compressed body", now_ticks()) from None
        if inflater.unconsumed_tail or len(body) > MAX_PUBLISH_BYTES:
            raise publish_error(413, "Message Too Large", now_ticks())
        if not inflater.eof:
            raise publish_error(400, "Invalid compressed body", now_ticks())
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise publish_error(400, "Invalid JSON", now_ticks()) from None


def _parse_json(text: str, what: str, call: Call) -> Any:
    try:
        return json_input.loads(text)
    except ValueError:
        raise publish_error(400, f"Invalid {what}", now_ticks()) from None


def _custom_type(call: Call) -> str | None:
    value = call.query.get("custom_message_type")
    if value is None:
        return None
    if not CUSTOM_TYPE.match(value):
        raise publish_error(400, "Invalid custom message type", now_ticks())
    return value


async def publish(call: Call) -> web.StreamResponse:
    server: LocalServer = call.server
    channel = call.params["channel"]
    text = await _message_text(call)
    if len(quote(channel, safe="")) + len(quote(text, safe="~")) + 100 > MAX_PUBLISH_BYTES:
        raise publish_error(413, "Message Too Large", now_ticks())
    _check_channel_name(channel, call)
    payload = _parse_json(text, "JSON", call)
    meta_text = call.query.get("meta")
    meta = _parse_json(meta_text, "meta", call) if meta_text else None
    if meta is not None and not isinstance(meta, dict):
        raise publish_error(400, "Invalid meta: must be a JSON object", now_ticks())
    custom_type = _custom_type(call)
    keyset = server.keyset(call.params["sub"])
    timetoken = server.clock.next()
    fire = call.query.get("norep") in ("true", "1") and call.query.get("store") == "0"
    if fire:  # reaches Functions only; there are none here
        return json_response([1, "Sent", str(timetoken)])
    event = Event(timetoken, channel, payload, call.uuid or None, meta, custom_type)
    if call.query.get("store", "1") != "0":
        server.persistence.store_message(keyset.subkey, StoredMessage(
            channel, timetoken, event.publisher, payload, meta, custom_type, None))
    keyset.append(event)
    return json_response([1, "Sent", str(timetoken)])


async def signal(call: Call) -> web.StreamResponse:
    server: LocalServer = call.server
    channel = call.params["channel"]
    text = call.params["message"]
    if len(text.encode("utf-8")) > MAX_SIGNAL_BYTES:
        raise publish_error(400, "Signal size too large", now_ticks())
    _check_channel_name(channel, call)
    payload = _parse_json(text, "JSON", call)
    custom_type = _custom_type(call)
    timetoken = server.clock.next()
    server.keyset(call.params["sub"]).append(
        Event(timetoken, channel, payload, call.uuid or None, None, custom_type, SIGNAL))
    response = json_response([1, "Sent", str(timetoken)])
    response.headers["PN-MsgEntityType"] = "1"
    return response


def _check_channel_name(channel: str, call: Call) -> None:
    if not channel or channel.endswith(PRESENCE_SUFFIX) or "*" in channel or "," in channel:
        raise publish_error(400, "Invalid channel name", now_ticks())


async def subscribe(call: Call) -> web.StreamResponse:
    """Handshake at `tt=0`; otherwise every event after `tt`, held open until one comes."""
    server: LocalServer = call.server
    keyset = server.keyset(call.params["sub"])
    channels = frozenset(split_names(call.raw_params["channels"]))
    groups = frozenset(split_query_names(call.query.get("channel-group")))
    if not channels and not groups:
        raise service_error(400, "No channels or channel groups to subscribe to", "Presence")
    cursor = _cursor(call)
    message_filter = _message_filter(call)
    subscription = Subscription(channels, groups)
    server.observe_subscribe(call, keyset, subscription)
    if cursor == 0:
        return _poll_response(server.clock.next(), [], keyset.subkey)
    found, next_cursor = _pending(keyset, subscription, cursor, message_filter)
    if not found:
        found, next_cursor = await _wait_for_events(call, keyset, subscription, next_cursor,
                                                    message_filter)
    return _poll_response(next_cursor, found, keyset.subkey)


def _message_filter(call: Call) -> MessageFilter | None:
    """The poll's `filter-expr` (sent by the JS SDK whenever a filter is configured)."""
    try:
        return compile_filter(call.query.get("filter-expr"))
    except FilterSyntaxError as error:
        raise service_error(400, f"Invalid filter expression: {error}", "Subscribe") from None


def _pending(keyset: Any, subscription: Subscription, cursor: int,
             message_filter: MessageFilter | None) -> tuple[list[tuple[Event, str | None]], int]:
    """Events after `cursor` that pass the filter, and the cursor past every event looked at.

    Messages the filter rejects are skipped but still move the cursor (reference §4.6);
    the filter applies to published messages (and files), not to signals, presence,
    App Context or message-action events [?].
    """
    while True:
        found = keyset.events_after(subscription, cursor, MAX_EVENTS_PER_POLL)
        if not found:
            return [], cursor
        cursor = found[-1][0].timetoken
        if message_filter is None:
            return found, cursor
        kept = [(event, via) for event, via in found
                if event.is_presence or event.event_type not in (None, FILE)
                or message_filter.accepts(event.meta, event.payload)]
        if kept:
            return kept, cursor


def _cursor(call: Call) -> int:
    raw = call.query.get("tt", "0")
    try:
        value = int(raw)
    except ValueError:
        raise service_error(400, f"Invalid timetoken: {raw!r}", "Subscribe") from None
    if value < 0:
        raise service_error(400, f"Invalid timetoken: {raw!r}", "Subscribe")
    return value


async def _wait_for_events(
    call: Call, keyset: Any, subscription: Subscription, cursor: int,
    message_filter: MessageFilter | None,
) -> tuple[list[tuple[Event, str | None]], int]:
    """Park the poll until an event for it arrives or the hold time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + call.server.options.poll_timeout
    keyset.park(subscription)
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return [], cursor
            try:
                await asyncio.wait_for(subscription.woken.wait(), remaining)
            except asyncio.TimeoutError:
                return [], cursor
            subscription.woken.clear()
            if call.server.closing:
                return [], cursor  # shutting down: answer now, the client will reconnect
            found, cursor = _pending(keyset, subscription, cursor, message_filter)
            if found:
                return found, cursor
    finally:
        keyset.unpark(subscription)


def _poll_response(cursor: int, found: list[tuple[Event, str | None]],
                   subkey: str) -> web.StreamResponse:
    messages = [event.envelope(subkey, via) for event, via in found]
    return json_response({"t": {"t": str(cursor), "r": REGION}, "m": messages})
