"""History: fetch messages v3, history v2, message counts, delete (reference §6–§7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .access.policy import Need
from .errors import history_error, json_response
from .persistence import StoredMessage
from .routing import Call, split_names

if TYPE_CHECKING:
    from .server import LocalServer

MAX_SINGLE = 100
MAX_MULTI = 25
MAX_FETCH_CHANNELS = 500
MAX_COUNT_CHANNELS = 100
COUNT_CAP = 10_000


def register(server: LocalServer) -> None:
    router = server.router
    router.add("GET", "/v3/history/sub-key/{sub}/channel/{channels}", fetch,
               needs=_channels_need("read"))
    router.add("DELETE", "/v3/history/sub-key/{sub}/channel/{channels}", delete,
               needs=_channels_need("delete"))
    router.add("GET", "/v3/history/sub-key/{sub}/message-counts/{channels}", message_counts,
               needs=_channels_need("read"))
    router.add("GET", "/v2/history/sub-key/{sub}/channel/{channels}", history_v2,
               needs=_channels_need("read"))


def _channels_need(permission: str):
    def needs(call: Call) -> list[Need]:
        return [Need("channels", ch, permission) for ch in split_names(call.raw_params["channels"])]
    return needs


def int_param(call: Call, name: str) -> int | None:
    raw = call.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise history_error(400, f"Invalid Arguments: {name}") from None
    if value < 0:
        raise history_error(400, f"Invalid Arguments: {name}")
    return value


def _channel_list(call: Call, limit: int) -> list[str]:
    channels = split_names(call.raw_params["channels"])
    if not channels:
        raise history_error(400, "Invalid Arguments: channel")
    if len(channels) > limit:
        raise history_error(400, f"Invalid Arguments: at most {limit} channels per call")
    return channels


async def fetch(call: Call) -> web.StreamResponse:
    """Newest `max` messages per channel inside the window, oldest first."""
    server: LocalServer = call.server
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
    wanted = int_param(call, "max")
    limit = ceiling if not wanted or wanted > ceiling else wanted
    include = {
        "uuid": call.flag("include_uuid", True),
        "message_type": call.flag("include_message_type", True),
        "meta": call.flag("include_meta"),
        "custom_message_type": call.flag("include_custom_message_type"),
    }
    return limit, int_param(call, "start"), int_param(call, "end"), include


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
    server: LocalServer = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    channel = call.params["channels"]
    count = int_param(call, "count") or MAX_SINGLE
    count = min(count, MAX_SINGLE)
    items = server.persistence.fetch(
        subkey, channel, start=int_param(call, "start"), end=int_param(call, "end"),
        limit=count, oldest_first=call.flag("reverse"))
    with_token, with_meta = call.flag("include_token"), call.flag("include_meta")
    # 17-digit numbers lose precision in JavaScript: the JS SDK asks for strings with
    # `string_message_token` (message timetokens) or the older `stringtoken` (all of them).
    all_strings = call.flag("stringtoken")
    token_type: Callable[[int], Any] = (
        str if all_strings or call.flag("string_message_token") else int)
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
    server: LocalServer = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    channels = _channel_list(call, MAX_COUNT_CHANNELS)
    per_channel = call.query.get("channelsTimetoken")
    single = call.query.get("timetoken")
    if per_channel is not None:
        raw = per_channel.split(",")
        if len(raw) != len(channels):
            raise history_error(400, "Invalid Arguments: channelsTimetoken must have one "
                                     "timetoken per channel")
    elif single is not None:
        raw = [single] * len(channels)
    else:
        raise history_error(400, "Invalid Arguments: timetoken or channelsTimetoken required")
    try:
        timetokens = [int(value) for value in raw]
    except ValueError:
        raise history_error(400, "Invalid Arguments: timetoken") from None
    counts = {
        channel: server.persistence.count_after(subkey, channel, timetoken, COUNT_CAP)
        for channel, timetoken in zip(channels, timetokens, strict=True)
    }
    return json_response({"status": 200, "error": False, "error_message": "",
                          "channels": counts})


async def delete(call: Call) -> web.StreamResponse:
    server: LocalServer = call.server
    subkey = server.keyset(call.params["sub"]).subkey
    for channel in _channel_list(call, 1):
        server.persistence.delete_messages(subkey, channel, start=int_param(call, "start"),
                                           end=int_param(call, "end"))
    return json_response({"status": 200, "error": False, "error_message": ""})
