"""Channel groups (`channel-registration`): add, remove, list, delete (reference §5)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from aiohttp import web

from .errors import json_response, service_error, service_errors
from .limits import MAX_CHANNEL
from .request import has_param, need_on, query_names
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

SERVICE = "channel-registry"
ERRORS = service_errors(SERVICE)
MAX_CHANNELS_PER_CALL = 200


def register(server: LocalServer) -> None:
    add = partial(server.router.add, errors=ERRORS)
    base = "/v1/channel-registration/sub-key/{sub}/channel-group/{group}"
    manage = need_on("groups", "group", "manage")
    add("GET", base, change_or_list, needs=manage)
    add("GET", base + "/remove", delete_group, needs=manage)
    # every group of the keyset (the JS SDK's `channelGroups.listGroups`); no token names
    # all groups, so under Access Manager only the secret key may list them
    add("GET", "/v1/channel-registration/sub-key/{sub}/channel-group", list_groups,
        signed_only=True)


def _ok() -> web.StreamResponse:
    return json_response({"status": 200, "message": "OK", "service": SERVICE, "error": False})


def _channels(call: Call, name: str) -> list[str]:
    channels = query_names(call, name)
    if not channels:
        raise service_error(400, f"Missing channels to {name}", SERVICE)
    if len(channels) > MAX_CHANNELS_PER_CALL:
        raise service_error(400, f"Too many channels to {name}: at most "
                                 f"{MAX_CHANNELS_PER_CALL} per call", SERVICE)
    for channel in channels:
        if channel.endswith("-pnpres") or "*" in channel or len(channel) > MAX_CHANNEL:
            raise service_error(400, f"Invalid channel name: {channel[:100]}", SERVICE)
    return channels


async def change_or_list(call: Call) -> web.StreamResponse:
    server = call.server
    keyset = server.keyset(call.params["sub"])
    group = call.params["group"]
    if not group or "," in group or group.endswith("-pnpres"):
        raise service_error(400, f"Invalid channel group name: {group!r}", SERVICE)
    if has_param(call, "add"):
        channels = _channels(call, "add")
        members = keyset.groups.get(group, set())
        new = [ch for ch in channels if ch not in members]
        if len(members) + len(new) > server.options.max_channels_per_group:
            raise service_error(400, f"Channel group {group} would exceed its limit of "
                                     f"{server.options.max_channels_per_group} channels",
                                SERVICE)
        server.persistence.add_to_group(keyset.subkey, group, channels)  # durable first
        keyset.add_to_group(group, channels)
        return _ok()
    if has_param(call, "remove"):
        channels = _channels(call, "remove")
        server.persistence.remove_from_group(keyset.subkey, group, channels)
        keyset.remove_from_group(group, channels)
        return _ok()
    channels = sorted(keyset.groups.get(group, ()))
    return json_response({"status": 200, "payload": {"channels": channels, "group": group},
                          "service": SERVICE, "error": False})


async def delete_group(call: Call) -> web.StreamResponse:
    server = call.server
    keyset = server.keyset(call.params["sub"])
    server.persistence.delete_group(keyset.subkey, call.params["group"])
    keyset.delete_group(call.params["group"])
    return _ok()


async def list_groups(call: Call) -> web.StreamResponse:
    keyset = call.server.keyset(call.params["sub"])
    return json_response({"status": 200, "payload": {"groups": sorted(keyset.groups),
                                                     "sub_key": keyset.subkey},
                          "service": SERVICE, "error": False})
