"""Presence over HTTP: heartbeat, leave, state, here-now, where-now, and subscribe polls.

Parses each request, applies it to the `Presence` model and answers in PubNub's flat
presence body. Every subscribe poll counts as a heartbeat (`observe_subscribe`).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..errors import json_response, service_error, service_errors
from ..keyset import Keyset, Subscription
from ..limits import MAX_STATE_BYTES, text_bytes
from ..request import (
    caller_uuid,
    flag,
    int_param,
    json_object_param,
    no_needs,
    path_names,
    query_names,
    read_channels_and_groups,
    required_uuid,
    seconds_param,
    text_param,
    timetoken_param,
)
from ..routing import Call, Feature
from .roster import Presence, Roster, State, present_channels

if TYPE_CHECKING:
    from ..server import LocalServer

SERVICE = "Presence"
DEFAULT_TIMEOUT = 300.0  # what the SDKs assume when they send no `heartbeat`
MAX_HERE_NOW_LIMIT = 1000
ERRORS = service_errors(SERVICE)
BAD_PARAM = ERRORS.bad_param
PRESENCE = Feature("presence", "Presence")


def register(server: LocalServer) -> None:
    presence = Presence(server.clock, server.keyset)
    endpoints = PresenceEndpoints(presence, server.options.presence_min_timeout)
    add = partial(server.router.add, feature=PRESENCE, errors=ERRORS)
    base = "/v2/presence/sub-key/{sub}"
    read = read_channels_and_groups
    add("GET", base + "/channel/{channels}/heartbeat", endpoints.heartbeat, needs=read)
    add("GET", base + "/channel/{channels}/leave", endpoints.leave, needs=read)
    add("GET", base + "/channel/{channels}/uuid/{uuid}/data", endpoints.set_state, needs=read)
    add("GET", base + "/channel/{channels}/uuid/{uuid}", endpoints.get_state, needs=read)
    add("GET", base + "/channel/{channels}", endpoints.here_now, needs=read)
    # Global here-now names no resource a token could grant, so it is for the secret key.
    add("GET", base, endpoints.here_now, signed_only=True)
    add("GET", base + "/uuid/{uuid}", endpoints.where_now, needs=no_needs)
    server.subscribe_observers.append(endpoints.observe_subscribe)
    # a few checks per shortest window
    interval = min(1.0, max(0.05, server.options.presence_min_timeout / 4))
    server.background_jobs.append(partial(presence.expire_forever, interval))


def _ok(**extra: Any) -> web.StreamResponse:
    return json_response({"status": 200, "message": "OK", **extra, "service": SERVICE})


class PresenceEndpoints:
    """The handlers, over one server's `Presence`."""

    def __init__(self, presence: Presence, min_timeout: float) -> None:
        self.presence = presence
        self.min_timeout = min_timeout
        """Shortest presence timeout honoured, whatever `heartbeat` asks for."""

    # request parsing --------------------------------------------------------------

    def _timeout(self, call: Call) -> float:
        wanted = seconds_param(call, "heartbeat", BAD_PARAM) or DEFAULT_TIMEOUT
        return max(wanted, self.min_timeout)

    @staticmethod
    def _named(call: Call) -> tuple[Keyset, list[str], list[str]]:
        keyset = call.server.keyset(call.params["sub"])
        channels = path_names(call, "channels")
        groups = query_names(call, "channel-group")
        if not channels and not groups:
            raise service_error(400, "No channels or channel groups given", SERVICE)
        return keyset, channels, groups

    @staticmethod
    def _channel_states(call: Call) -> State:
        """The `{channel: state}` that heartbeats and subscribes may carry, checked first."""
        return _state_param(call) or {}

    # subscribe polls ---------------------------------------------------------------

    async def observe_subscribe(self, call: Call, keyset: Keyset,
                                subscription: Subscription) -> None:
        """Every subscribe poll is a heartbeat that lasts as long as the poll is open."""
        uuid = caller_uuid(call)
        if not uuid:
            return
        timeout, states = self._timeout(call), self._channel_states(call)
        channels = present_channels(keyset, subscription.channels, subscription.groups)
        if call.server.options.presence_leave_on_drop:
            self.presence.leave_dropped(keyset, uuid, channels)
        # A handshake answers with "now" as its cursor; a join stamped before that would
        # be lost to the subscriber itself, so it is stamped after the answer.
        handshake = not timetoken_param(call, "tt", BAD_PARAM)
        await self.presence.touch(keyset, uuid, channels, timeout, asyncio.current_task(),
                                  join_later=handshake)
        self.presence.apply_states(keyset, uuid, channels, states, later=handshake)

    # handlers ----------------------------------------------------------------------

    async def heartbeat(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = required_uuid(call, BAD_PARAM)
        timeout, states = self._timeout(call), self._channel_states(call)
        present = present_channels(keyset, channels, groups)
        await self.presence.touch(keyset, uuid, present, timeout)
        self.presence.apply_states(keyset, uuid, present, states)
        return _ok()

    async def leave(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = required_uuid(call, BAD_PARAM)
        self.presence.depart(keyset, uuid, present_channels(keyset, channels, groups), "leave")
        return _ok(action="leave")

    async def set_state(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        state = _state_param(call)
        if state is None:
            raise BAD_PARAM("state", "must be given")
        uuid = call.params["uuid"]
        for channel in present_channels(keyset, channels, groups):
            self.presence.change_state(keyset, uuid, channel, state)
        return _ok(payload=state)

    async def get_state(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = call.params["uuid"]
        roster = self.presence.roster(keyset.subkey)
        if len(channels) == 1 and not groups:
            return _ok(uuid=uuid, channel=channels[0],
                       payload=roster.state(uuid, channels[0]) or {})
        found = {ch: roster.state(uuid, ch) or {} for ch in channels}
        for channel in present_channels(keyset, [], groups):
            state = roster.state(uuid, channel)
            if state:
                found[channel] = state
        return _ok(uuid=uuid, payload={"channels": found})

    async def here_now(self, call: Call) -> web.StreamResponse:
        """One channel alone answers at top level; several, groups or global in `payload`."""
        keyset = call.server.keyset(call.params["sub"])
        roster = self.presence.roster(keyset.subkey)
        limit = min(int_param(call, "limit", BAD_PARAM, default=MAX_HERE_NOW_LIMIT),
                    MAX_HERE_NOW_LIMIT)
        offset = int_param(call, "offset", BAD_PARAM, default=0)
        with_uuids, with_state = not flag(call, "disable_uuids"), flag(call, "state")

        def listing(channel: str) -> dict[str, Any]:
            uuids = sorted(roster.occupants.get(channel, ()))
            entry: dict[str, Any] = {"occupancy": len(uuids)}
            if with_uuids:
                shown = uuids[offset:offset + limit]
                entry["uuids"] = [_occupant_item(roster, u, channel) for u in shown] \
                    if with_state else shown
            return entry

        if "channels" not in call.params:
            names = sorted(roster.occupants)
        else:
            keyset, channels, groups = self._named(call)
            if len(channels) == 1 and not groups:
                return _ok(**listing(channels[0]))
            names = present_channels(keyset, channels, groups)
        listed = {ch: listing(ch) for ch in names if roster.occupancy(ch)}
        return _ok(payload={"channels": listed, "total_channels": len(listed),
                            "total_occupancy": sum(e["occupancy"] for e in listed.values())})

    async def where_now(self, call: Call) -> web.StreamResponse:
        roster = self.presence.roster(call.params["sub"])
        channels = sorted(roster.channels_of.get(call.params["uuid"], ()))
        return _ok(payload={"channels": channels})


def _state_param(call: Call) -> State | None:
    """The `state` JSON object, at most `MAX_STATE_BYTES` as sent (limits.py)."""
    if text_bytes(text_param(call, "state") or "") > MAX_STATE_BYTES:
        raise BAD_PARAM("state", f"must be at most {MAX_STATE_BYTES} bytes of JSON")
    return json_object_param(call, "state", BAD_PARAM)


def _occupant_item(roster: Roster, uuid: str, channel: str) -> dict[str, Any]:
    item: dict[str, Any] = {"uuid": uuid}
    state = roster.state(uuid, channel)
    if state:
        item["state"] = state
    return item
