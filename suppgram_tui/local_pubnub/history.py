"""History: fetch messages v3, history v2, message counts, delete (reference §6–§7)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import HISTORY_ERRORS, history_bad_param, history_error, json_response
from .persistence import StoredMessage
from .request import (
    flag,
    int_param,
    need_on_each,
    path_names,
    timetoken_list_param,
    timetoken_param,
)
from .routing import Call, Feature

if TYPE_CHECKING:
    from .server import LocalServer

MAX_SINGLE = 100
MAX_MULTI = 25
MAX_FETCH_CHANNELS = 500
MAX_COUNT_CHANNELS = 100
COUNT_CAP = 10_000
HISTORY = Feature("history", "Message Persistence")


def register(server: LocalServer) -> None:
    router = partial(server.router.add, feature=HISTORY, errors=HISTORY_ERRORS)
    read = need_on_each("channels", "channels", "read")
    base = "/v3/history/sub-key/{sub}"
    router("GET", base + "/channel/{channels}", fetch, needs=read)
    router("DELETE", base + "/channel/{channels}", delete,
           needs=need_on_each("channels", "channels", "delete"))
    router("GET", base + "/message-counts/{channels}", message_counts, needs=read)
    router("GET", "/v2/history/sub-key/{sub}/channel/{channels}", history_v2, needs=read)


def _window(call: Call) -> tuple[int | None, int | None]:
    """`start` and `end`: PubNub's history window, `end <= timetoken < start`."""
    return (timetoken_param(call, "start", history_bad_param),
            timetoken_param(call, "end", history_bad_param))


def _channel_list(call: Call, limit: int) -> list[str]:
    channels = path_names(call, "channels")
    if not channels:
        raise history_error(400, "Invalid Arguments: channel")
    if len(channels) > limit:
        raise history_error(400, f"Invalid Arguments: at most {limit} channels per call")
    return channels


async def fetch(call: Call) -> web.StreamResponse:
    """Newest `max` messages per channel inside the window, oldest first."""
    server = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    channels = _channel_list(call, MAX_FETCH_CHANNELS)
    limit, start, end, include = fetch_window(call, MAX_SINGLE if len(channels) == 1
                                              else MAX_MULTI)
    result: dict[str, list[dict[str, Any]]] = {}
    for channel in channels:
        items = server.persistence.fetch(subkey, channel, start=start, end=end, limit=limit)
        if items:
            result[channel] = [fetch_item(item, include) for item in items]
    return json_response({"status": 200, "error": False, "error_message": "",
                          "channels": result})


def fetch_window(call: Call, ceiling: int
                 ) -> tuple[int, int | None, int | None, dict[str, bool]]:
    """`max` (capped at `ceiling`), `start`, `end` and the `include_*` flags of a fetch,
    with PubNub's defaults (uuid and message type on)."""
    limit = min(int_param(call, "max", history_bad_param) or ceiling, ceiling)
    include = {
        "uuid": flag(call, "include_uuid", True),
        "message_type": flag(call, "include_message_type", True),
        "meta": flag(call, "include_meta"),
        "custom_message_type": flag(call, "include_custom_message_type"),
    }
    return (limit, *_window(call), include)


def fetch_item(message: StoredMessage, include: dict[str, bool]) -> dict[str, Any]:
    item: dict[str, Any] = {"message": message.payload, "timetoken": str(message.timetoken)}
    if include["uuid"]:
        item["uuid"] = message.publisher
    if include["message_type"]:
        item["message_type"] = message.message_type
    if include["meta"]:
        item["meta"] = message.meta if message.meta is not None else ""
    if include["custom_message_type"] and message.custom_type is not None:
        item["custom_message_type"] = message.custom_type
    return item


async def history_v2(call: Call) -> web.StreamResponse:
    server = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    channel = call.params["channels"]
    count = min(int_param(call, "count", history_bad_param) or MAX_SINGLE, MAX_SINGLE)
    start, end = _window(call)
    items = server.persistence.fetch(subkey, channel, start=start, end=end, limit=count,
                                     oldest_first=flag(call, "reverse"))
    with_token, with_meta = flag(call, "include_token"), flag(call, "include_meta")
    # 17-digit numbers lose precision in JavaScript: the JS SDK asks for strings with
    # `string_message_token` (message timetokens) or the older `stringtoken` (all of them).
    all_strings = flag(call, "stringtoken")
    token_type: Callable[[int], Any] = (
        str if all_strings or flag(call, "string_message_token") else int)
    messages: list[Any] = []
    for item in items:
        if with_token or with_meta:
            entry: dict[str, Any] = {"message": item.payload}
            if with_token:
                entry["timetoken"] = token_type(item.timetoken)
            if with_meta:
                entry["meta"] = item.meta if item.meta is not None else ""
            messages.append(entry)
        else:
            messages.append(item.payload)
    first = items[0].timetoken if items else 0
    last = items[-1].timetoken if items else 0
    if all_strings:
        return json_response([messages, str(first), str(last)])
    return json_response([messages, first, last])


async def message_counts(call: Call) -> web.StreamResponse:
    """Messages strictly newer than each channel's timetoken."""
    server = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    channels = _channel_list(call, MAX_COUNT_CHANNELS)
    timetokens = timetoken_list_param(call, "channelsTimetoken", history_bad_param)
    single = timetoken_param(call, "timetoken", history_bad_param)
    if timetokens is not None:
        if len(timetokens) != len(channels):
            raise history_error(400, "Invalid Arguments: channelsTimetoken must have one "
                                     "timetoken per channel")
    elif single is not None:
        timetokens = [single] * len(channels)
    else:
        raise history_error(400, "Invalid Arguments: timetoken or channelsTimetoken required")
    counts = {
        channel: server.persistence.count_after(subkey, channel, timetoken, COUNT_CAP)
        for channel, timetoken in zip(channels, timetokens, strict=True)
    }
    return json_response({"status": 200, "error": False, "error_message": "",
                          "channels": counts})


async def delete(call: Call) -> web.StreamResponse:
    server = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    start, end = _window(call)
    for channel in _channel_list(call, 1):
        server.persistence.delete_messages(subkey, channel, start=start, end=end)
    return json_response({"status": 200, "error": False, "error_message": ""})
