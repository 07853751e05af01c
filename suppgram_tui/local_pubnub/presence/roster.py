"""Who is present where, per subscribe key, and the events that announce it.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..clock import TimetokenClock
from ..events import PRESENCE_SUFFIX, Event
from ..keyset import Keyset

log = logging.getLogger("suppgram_tui.local_pubnub.presence")

State = dict[str, Any]


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


def present_channels(keyset: Keyset, channels: Iterable[str], groups: Iterable[str]) -> list[str]:
    """Concrete channels named directly or through groups; presence channels and
    wildcard patterns never count as being somewhere."""
    found = dict.fromkeys(channels)
    for group in groups:
        if not group.endswith(PRESENCE_SUFFIX):
            found.update(dict.fromkeys(sorted(keyset.groups.get(group, ()))))
    return [ch for ch in found if ch and not ch.endswith(PRESENCE_SUFFIX) and "*" not in ch]


class Presence:
    """The presence of one server: a roster per subscribe key, and the rules that change it."""

    def __init__(self, clock: TimetokenClock, keyset_of: Callable[[str], Keyset]) -> None:
        self._clock = clock
        self._keyset_of = keyset_of
        self.rosters: dict[str, Roster] = {}

    def roster(self, subkey: str) -> Roster:
        roster = self.rosters.get(subkey)
        if roster is None:
            roster = self.rosters[subkey] = Roster()
        return roster

    def touch(self, keyset: Keyset, uuid: str, channels: Iterable[str], timeout: float,
              poll: asyncio.Task[Any] | None = None, *, join_later: bool = False) -> None:
        """Keep `uuid` present on `channels`; the ones it was not on yet get a join.

        With `poll`, presence lasts while that subscribe poll is open, and its window
        starts when the poll closes.
        """
        names = sorted(channels)
        roster = self.roster(keyset.subkey)
        now = time.monotonic()
        for channel in names:
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
        if poll is not None and names:
            poll.add_done_callback(lambda task: self._poll_ended(keyset, uuid, names, task))

    def _poll_ended(self, keyset: Keyset, uuid: str, channels: list[str],
                    task: asyncio.Task[Any]) -> None:
        roster = self.rosters.get(keyset.subkey)
        if roster is None:
            return
        now = time.monotonic()
        for channel in channels:
            occupant = roster.occupants.get(channel, {}).get(uuid)
            if occupant is not None:
                occupant.polls.discard(task)
                occupant.last_seen = max(occupant.last_seen, now)

    def leave_dropped(self, keyset: Keyset, uuid: str, channels: list[str]) -> None:
        """`leave` on the channels `uuid`'s last poll listed and this one does not."""
        roster = self.roster(keyset.subkey)
        dropped = roster.last_poll.get(uuid, frozenset()).difference(channels)
        self.depart(keyset, uuid, dropped, "leave")
        if channels:
            roster.last_poll[uuid] = frozenset(channels)
        else:
            roster.last_poll.pop(uuid, None)

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
        keyset.append(Event(self._clock.next(), channel + PRESENCE_SUFFIX, payload))

    def change_state(self, keyset: Keyset, uuid: str, channel: str, state: State,
                     *, only_if_changed: bool = False, later: bool = False) -> None:
        roster = self.roster(keyset.subkey)
        if only_if_changed and (roster.state(uuid, channel) or {}) == state:
            return
        roster.put_state(uuid, channel, state)
        self.announce(keyset, channel, "state-change", uuid, state, later=later)

    def apply_states(self, keyset: Keyset, uuid: str, channels: list[str], states: State,
                     *, later: bool = False) -> None:
        """The `{channel: state}` a heartbeat or poll carries, for the channels it is on."""
        for channel, state in states.items():
            if channel in channels and isinstance(state, dict):
                self.change_state(keyset, uuid, channel, state, only_if_changed=True,
                                  later=later)

    def expire(self, now: float) -> None:
        """Announce `timeout` for every occupant whose window ran out with no poll open."""
        for subkey, roster in self.rosters.items():
            gone = [(channel, uuid) for channel, members in roster.occupants.items()
                    for uuid, occupant in members.items() if occupant.expired(now)]
            keyset = self._keyset_of(subkey)
            for channel, uuid in gone:
                self.depart(keyset, uuid, [channel], "timeout")

    async def expire_forever(self, interval: float) -> None:
        """Background job: check for timeouts every `interval` seconds."""
        while True:
            await asyncio.sleep(interval)
            try:
                self.expire(time.monotonic())
            except Exception:
                log.exception("presence timeout sweep failed")
