"""Presence: who is on which channel, and the events that say so (reference §9).

A uuid is present on a channel while one of its subscribe polls listing that channel
(directly or through a group) is open, and for `heartbeat` seconds after its last poll
or heartbeat. Joins, leaves, timeouts and state changes are published as events on
`<channel>-pnpres`, so the keyset delivers them to channel and group presence
subscribers alike. Presence lives in memory only: a restarted server starts empty.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import json_response, service_bad_param, service_error
from .events import PRESENCE_SUFFIX, Event
from .keyset import Keyset, Subscription
from .request import (
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
    timetoken_param,
)
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

log = logging.getLogger("suppgram_tui.local_pubnub.presence")

SERVICE = "Presence"
DEFAULT_TIMEOUT = 300.0  # what the SDKs assume when they send no `heartbeat`
MAX_HERE_NOW_LIMIT = 1000
BAD_PARAM = service_bad_param(SERVICE)
State = dict[str, Any]


def register(server: LocalServer) -> None:
    presence = Presence(server)
    router = server.router
    base = "/v2/presence/sub-key/{sub}"
    read = read_channels_and_groups
    router.add("GET", base + "/channel/{channels}/heartbeat", presence.heartbeat, needs=read)
    router.add("GET", base + "/channel/{channels}/leave", presence.leave, needs=read)
    router.add("GET", base + "/channel/{channels}/uuid/{uuid}/data", presence.set_state,
               needs=read)
    router.add("GET", base + "/channel/{channels}/uuid/{uuid}", presence.get_state, needs=read)
    router.add("GET", base + "/channel/{channels}", presence.here_now, needs=read)
    # Global here-now names no resource a token could grant, so it is for the secret key.
    router.add("GET", base, presence.here_now, signed_only=True)
    router.add("GET", base + "/uuid/{uuid}", presence.where_now, needs=no_needs)
    server.subscribe_observers.append(presence.observe_subscribe)
    server.background_jobs.append(presence.expire_forever)


def _ok(**extra: Any) -> web.StreamResponse:
    return json_response({"status": 200, "message": "OK", **extra, "service": SERVICE})


@dataclass(eq=False)
class Occupant:
    """One uuid on one channel: alive while a poll is open or its window has not run out."""

    timeout: float
    last_seen: float
    polls: set[asyncio.Task[Any]] = field(default_factory=set)

    def expired(self, now: float) -> bool:
        return not self.polls and now - self.last_seen >= self.timeout


@dataclass
class Roster:
    """Presence of one subscribe key: occupants by channel, the reverse index, and state."""

    occupants: dict[str, dict[str, Occupant]] = field(default_factory=dict)
    channels_of: dict[str, set[str]] = field(default_factory=dict)
    states: dict[str, dict[str, State]] = field(default_factory=dict)  # uuid -> channel -> state
    last_poll: dict[str, frozenset[str]] = field(default_factory=dict)

    def occupancy(self, channel: str) -> int:
        return len(self.occupants.get(channel, ()))

    def state(self, uuid: str, channel: str) -> State | None:
        return self.states.get(uuid, {}).get(channel)

    def put_state(self, uuid: str, channel: str, state: State) -> None:
        if state:
            self.states.setdefault(uuid, {})[channel] = state
        else:
            self._drop_state(uuid, channel)

    def remove(self, uuid: str, channel: str) -> bool:
        members = self.occupants.get(channel)
        if members is None or members.pop(uuid, None) is None:
            return False
        if not members:
            del self.occupants[channel]
        where = self.channels_of[uuid]
        where.discard(channel)
        if not where:
            del self.channels_of[uuid]
            self.last_poll.pop(uuid, None)
        self._drop_state(uuid, channel)
        return True

    def _drop_state(self, uuid: str, channel: str) -> None:
        states = self.states.get(uuid)
        if states is not None:
            states.pop(channel, None)
            if not states:
                del self.states[uuid]


class Presence:
    """The presence service of one server: rosters per subscribe key, handlers, timeouts."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.rosters: dict[str, Roster] = {}

    def roster(self, subkey: str) -> Roster:
        roster = self.rosters.get(subkey)
        if roster is None:
            roster = self.rosters[subkey] = Roster()
        return roster

    # the model ------------------------------------------------------------------

    def touch(self, keyset: Keyset, uuid: str, channels: Iterable[str], timeout: float,
              poll: asyncio.Task[Any] | None = None, *, join_later: bool = False) -> None:
        """Keep `uuid` present on `channels`; the ones it was not on yet get a join."""
        roster = self.roster(keyset.subkey)
        now = time.monotonic()
        for channel in sorted(channels):
            members = roster.occupants.setdefault(channel, {})
            occupant = members.get(uuid)
            joined = occupant is None
            if occupant is None:
                occupant = members[uuid] = Occupant(timeout, now)
                roster.channels_of.setdefault(uuid, set()).add(channel)
            occupant.timeout, occupant.last_seen = timeout, now
            if poll is not None:
                occupant.polls.add(poll)
            if joined:
                self.announce(keyset, channel, "join", uuid, later=join_later)

    def depart(self, keyset: Keyset, uuid: str, channels: Iterable[str], action: str) -> None:
        """Take `uuid` off `channels` it is on, announcing `leave` or `timeout`."""
        roster = self.roster(keyset.subkey)
        for channel in sorted(channels):
            if roster.remove(uuid, channel):
                self.announce(keyset, channel, action, uuid)

    def announce(self, keyset: Keyset, channel: str, action: str, uuid: str,
                 data: State | None = None, *, later: bool = False) -> None:
        """Publish a presence event on `<channel>-pnpres`; `later` stamps it after the
        current request has answered, as PubNub's asynchronous presence service does."""
        payload: dict[str, Any] = {"action": action, "uuid": uuid, "timestamp": int(time.time()),
                                   "occupancy": self.roster(keyset.subkey).occupancy(channel)}
        if data is not None:
            payload["data"] = data
        if later:
            asyncio.get_running_loop().call_soon(self._publish, keyset, channel, payload)
        else:
            self._publish(keyset, channel, payload)

    def _publish(self, keyset: Keyset, channel: str, payload: dict[str, Any]) -> None:
        keyset.append(Event(self.server.clock.next(), channel + PRESENCE_SUFFIX, payload))

    def change_state(self, keyset: Keyset, uuid: str, channel: str, state: State,
                     *, only_if_changed: bool = False, later: bool = False) -> None:
        roster = self.roster(keyset.subkey)
        if only_if_changed and (roster.state(uuid, channel) or {}) == state:
            return
        roster.put_state(uuid, channel, state)
        self.announce(keyset, channel, "state-change", uuid, state, later=later)

    def expire(self, now: float) -> None:
        """Announce `timeout` for every occupant whose window ran out with no poll open."""
        for subkey, roster in self.rosters.items():
            gone = [(channel, uuid) for channel, members in roster.occupants.items()
                    for uuid, occupant in members.items() if occupant.expired(now)]
            keyset = self.server.keyset(subkey)
            for channel, uuid in gone:
                self.depart(keyset, uuid, [channel], "timeout")

    async def expire_forever(self) -> None:
        """Background job: check for timeouts a few times per shortest window."""
        interval = min(1.0, max(0.05, self.server.options.presence_min_timeout / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                self.expire(time.monotonic())
            except Exception:
                log.exception("presence timeout sweep failed")

    # request parsing --------------------------------------------------------------

    def _timeout(self, call: Call) -> float:
        wanted = seconds_param(call, "heartbeat", BAD_PARAM) or DEFAULT_TIMEOUT
        return max(wanted, self.server.options.presence_min_timeout)

    @staticmethod
    def _expand(keyset: Keyset, channels: Iterable[str], groups: Iterable[str]) -> list[str]:
        """Concrete channels named directly or through groups; presence channels and
        wildcard patterns never count as being somewhere."""
        found = dict.fromkeys(channels)
        for group in groups:
            if not group.endswith(PRESENCE_SUFFIX):
                found.update(dict.fromkeys(sorted(keyset.groups.get(group, ()))))
        return [ch for ch in found if ch and not ch.endswith(PRESENCE_SUFFIX) and "*" not in ch]

    def _named(self, call: Call) -> tuple[Keyset, list[str], list[str]]:
        keyset = self.server.keyset(call.params["sub"])
        channels = path_names(call, "channels")
        groups = query_names(call, "channel-group")
        if not channels and not groups:
            raise service_error(400, "No channels or channel groups given", SERVICE)
        return keyset, channels, groups

    @staticmethod
    def _channel_states(call: Call) -> State:
        """The `{channel: state}` that heartbeats and subscribes may carry, checked first."""
        return json_object_param(call, "state", BAD_PARAM) or {}

    def _apply_states(self, keyset: Keyset, uuid: str, channels: list[str], states: State,
                      *, later: bool = False) -> None:
        for channel, state in states.items():
            if channel in channels and isinstance(state, dict):
                self.change_state(keyset, uuid, channel, state, only_if_changed=True,
                                  later=later)

    # subscribe polls ---------------------------------------------------------------

    def observe_subscribe(self, call: Call, keyset: Keyset, subscription: Subscription) -> None:
        """Every subscribe poll is a heartbeat that lasts as long as the poll is open."""
        uuid = caller_uuid(call)
        if not uuid:
            return
        timeout, states = self._timeout(call), self._channel_states(call)
        channels = self._expand(keyset, subscription.channels, subscription.groups)
        roster = self.roster(keyset.subkey)
        if self.server.options.presence_leave_on_drop:
            dropped = roster.last_poll.get(uuid, frozenset()).difference(channels)
            self.depart(keyset, uuid, dropped, "leave")
            if channels:
                roster.last_poll[uuid] = frozenset(channels)
            else:
                roster.last_poll.pop(uuid, None)
        poll = asyncio.current_task()
        # A handshake answers with "now" as its cursor; a join stamped before that would
        # be lost to the subscriber itself, so it is stamped after the answer.
        handshake = not timetoken_param(call, "tt", BAD_PARAM)
        self.touch(keyset, uuid, channels, timeout, poll, join_later=handshake)
        self._apply_states(keyset, uuid, channels, states, later=handshake)
        if poll is not None and channels:
            poll.add_done_callback(lambda task: self._poll_ended(keyset, uuid, channels, task))

    def _poll_ended(self, keyset: Keyset, uuid: str, channels: list[str],
                    task: asyncio.Task[Any]) -> None:
        """The window starts when the poll closes, not when it opened."""
        roster = self.rosters.get(keyset.subkey)
        if roster is None:
            return
        now = time.monotonic()
        for channel in channels:
            occupant = roster.occupants.get(channel, {}).get(uuid)
            if occupant is not None:
                occupant.polls.discard(task)
                occupant.last_seen = max(occupant.last_seen, now)

    # handlers ----------------------------------------------------------------------

    async def heartbeat(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = required_uuid(call, BAD_PARAM)
        timeout, states = self._timeout(call), self._channel_states(call)
        present = self._expand(keyset, channels, groups)
        self.touch(keyset, uuid, present, timeout)
        self._apply_states(keyset, uuid, present, states)
        return _ok()

    async def leave(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = required_uuid(call, BAD_PARAM)
        self.depart(keyset, uuid, self._expand(keyset, channels, groups), "leave")
        return _ok(action="leave")

    async def set_state(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        state = json_object_param(call, "state", BAD_PARAM)
        if state is None:
            raise BAD_PARAM("state", "must be given")
        uuid = call.params["uuid"]
        for channel in self._expand(keyset, channels, groups):
            self.change_state(keyset, uuid, channel, state)
        return _ok(payload=state)

    async def get_state(self, call: Call) -> web.StreamResponse:
        keyset, channels, groups = self._named(call)
        uuid = call.params["uuid"]
        roster = self.roster(keyset.subkey)
        if len(channels) == 1 and not groups:
            return _ok(uuid=uuid, channel=channels[0],
                       payload=roster.state(uuid, channels[0]) or {})
        found = {ch: roster.state(uuid, ch) or {} for ch in channels}
        for channel in self._expand(keyset, [], groups):
            state = roster.state(uuid, channel)
            if state:
                found[channel] = state
        return _ok(uuid=uuid, payload={"channels": found})

    async def here_now(self, call: Call) -> web.StreamResponse:
        """One channel alone answers at top level; several, groups or global in `payload`."""
        keyset = self.server.keyset(call.params["sub"])
        roster = self.roster(keyset.subkey)
        limit = min(int_param(call, "limit", BAD_PARAM, default=MAX_HERE_NOW_LIMIT),
                    MAX_HERE_NOW_LIMIT)
        offset = int_param(call, "offset", BAD_PARAM, default=0)
        with_uuids, with_state = not flag(call, "disable_uuids"), flag(call, "state")

        def listing(channel: str) -> dict[str, Any]:
            uuids = sorted(roster.occupants.get(channel, ()))
            entry: dict[str, Any] = {"occupancy": len(uuids)}
            if with_uuids:
                shown = uuids[offset:offset + limit]
                entry["uuids"] = [self._occupant_item(roster, u, channel) for u in shown] \
                    if with_state else shown
            return entry

        if "channels" not in call.params:
            names = sorted(roster.occupants)
        else:
            keyset, channels, groups = self._named(call)
            if len(channels) == 1 and not groups:
                return _ok(**listing(channels[0]))
            names = self._expand(keyset, channels, groups)
        listed = {ch: listing(ch) for ch in names if roster.occupancy(ch)}
        return _ok(payload={"channels": listed, "total_channels": len(listed),
                            "total_occupancy": sum(e["occupancy"] for e in listed.values())})

    async def where_now(self, call: Call) -> web.StreamResponse:
        roster = self.roster(call.params["sub"])
        channels = sorted(roster.channels_of.get(call.params["uuid"], ()))
        return _ok(payload={"channels": channels})

    @staticmethod
    def _occupant_item(roster: Roster, uuid: str, channel: str) -> dict[str, Any]:
        item: dict[str, Any] = {"uuid": uuid}
        state = roster.state(uuid, channel)
        if state:
            item["state"] = state
        return item
