"""Publish, signal and subscribe v2 long-poll (reference §2–§4)."""

from __future__ import annotations

import asyncio
import re
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from . import json_input
from .clock import now_ticks
from .errors import (
    json_response,
    publish_bad_param,
    publish_error,
    service_bad_param,
    service_error,
)
from .events import FILE, PRESENCE_SUFFIX, REGION, SIGNAL, Event
from .keyset import Subscription
from .message_filter import FilterSyntaxError, MessageFilter, compile_filter
from .persistence import StoredMessage
from .request import (
    caller_uuid,
    flag,
    json_object_param,
    need_on,
    path_names,
    query_names,
    read_channels_and_groups,
    text_param,
    timetoken_param,
)
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

MAX_PUBLISH_BYTES = 32 * 1024
MAX_SIGNAL_BYTES = 64
MAX_EVENTS_PER_POLL = 100
CUSTOM_TYPE = re.compile(r"^(?!pn[-_])[A-Za-z0-9_-]{3,50}$")
BAD_SUBSCRIBE_PARAM = service_bad_param("Subscribe")


def register(server: LocalServer) -> None:
    router = server.router
    write = need_on("channels", "channel", "write")
    router.add("GET", "/publish/{pub}/{sub}/0/{channel}/0/{message}", publish, needs=write)
    router.add("POST", "/publish/{pub}/{sub}/0/{channel}/0", publish, needs=write)
    router.add("GET", "/signal/{pub}/{sub}/0/{channel}/0/{message}", signal, needs=write)
    router.add("GET", "/v2/subscribe/{sub}/{channels}/0", subscribe,
               needs=read_channels_and_groups)


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


def _parse_json(text: str, what: str) -> Any:
    try:
        return json_input.loads(text)
    except ValueError:
        raise publish_error(400, f"Invalid {what}", now_ticks()) from None


def _custom_type(call: Call) -> str | None:
    value = text_param(call, "custom_message_type")
    if value is None:
        return None
    if not CUSTOM_TYPE.match(value):
        raise publish_error(400, "Invalid custom message type", now_ticks())
    return value


async def publish(call: Call) -> web.StreamResponse:
    server = call.server
    channel = call.params["channel"]
    text = await _message_text(call)
    if len(quote(channel, safe="")) + len(quote(text, safe="~")) + 100 > MAX_PUBLISH_BYTES:
        raise publish_error(413, "Message Too Large", now_ticks())
    _check_channel_name(channel)
    payload = _parse_json(text, "JSON")
    meta = json_object_param(call, "meta", publish_bad_param)
    custom_type = _custom_type(call)
    keyset = server.keyset(call.params["sub"])
    timetoken = server.clock.next()
    stored = text_param(call, "store") != "0"
    if flag(call, "norep") and not stored:  # reaches Functions only; there are none here
        return json_response([1, "Sent", str(timetoken)])
    event = Event(timetoken, channel, payload, caller_uuid(call) or None, meta, custom_type)
    if stored:
        server.persistence.store_message(keyset.subkey, StoredMessage(
            channel, timetoken, event.publisher, payload, meta, custom_type, None))
    keyset.append(event)
    return json_response([1, "Sent", str(timetoken)])


async def signal(call: Call) -> web.StreamResponse:
    server = call.server
    channel = call.params["channel"]
    text = call.params["message"]
    if len(text.encode("utf-8")) > MAX_SIGNAL_BYTES:
        raise publish_error(400, "Signal size too large", now_ticks())
    _check_channel_name(channel)
    payload = _parse_json(text, "JSON")
    custom_type = _custom_type(call)
    timetoken = server.clock.next()
    server.keyset(call.params["sub"]).append(
        Event(timetoken, channel, payload, caller_uuid(call) or None, None, custom_type, SIGNAL))
    response = json_response([1, "Sent", str(timetoken)])
    response.headers["PN-MsgEntityType"] = "1"
    return response


def _check_channel_name(channel: str) -> None:
    if not channel or channel.endswith(PRESENCE_SUFFIX) or "*" in channel or "," in channel:
        raise publish_error(400, "Invalid channel name", now_ticks())


async def subscribe(call: Call) -> web.StreamResponse:
    """Handshake at `tt=0`; otherwise every event after `tt`, held open until one comes."""
    server = call.server
    keyset = server.keyset(call.params["sub"])
    channels = frozenset(path_names(call, "channels"))
    groups = frozenset(query_names(call, "channel-group"))
    if not channels and not groups:
        raise service_error(400, "No channels or channel groups to subscribe to", "Presence")
    cursor = timetoken_param(call, "tt", BAD_SUBSCRIBE_PARAM) or 0
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
        return compile_filter(text_param(call, "filter-expr"))
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
