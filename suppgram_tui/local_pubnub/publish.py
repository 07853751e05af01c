"""Publish and signal (reference §2–§3): store a message and hand it to the keyset's log."""

from __future__ import annotations

import re
import zlib
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import json_input
from .clock import now_ticks
from .errors import PUBLISH_ERRORS, json_response, publish_bad_param, publish_error
from .events import PRESENCE_SUFFIX, SIGNAL, Event
from .limits import MAX_CHANNEL, MAX_PUBLISH_BYTES, publish_size
from .persistence import StoredMessage
from .request import caller_uuid, flag, json_object_param, need_on, text_param
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

MAX_SIGNAL_BYTES = 64
CUSTOM_TYPE = re.compile(r"^(?!pn[-_])[A-Za-z0-9_-]{3,50}$")


def register(server: LocalServer) -> None:
    add = partial(server.router.add, needs=need_on("channels", "channel", "write"),
                  errors=PUBLISH_ERRORS)
    add("GET", "/publish/{pub}/{sub}/0/{channel}/0/{message}", publish)
    add("POST", "/publish/{pub}/{sub}/0/{channel}/0", publish)
    add("GET", "/signal/{pub}/{sub}/0/{channel}/0/{message}", signal)


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
    if publish_size(channel, text, text_param(call, "meta")) > MAX_PUBLISH_BYTES:
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
    if (not channel or channel.endswith(PRESENCE_SUFFIX) or "*" in channel or "," in channel
            or len(channel) > MAX_CHANNEL):
        raise publish_error(400, "Invalid channel name", now_ticks())
