"""Who is present where, per subscribe key, and the events that announce it.

A uuid is present on a channel while one of its subscribe polls listing that channel
(directly or through a group) is open, and for `heartbeat` seconds after its last poll
or heartbeat. Joins, leaves, timeouts and state changes are published as events on
`<channel>-pnpres`, so the keyset delivers them to channel and group presence
subscribers alike. Presence lives in memory only: a restarted server starts empty.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..clock import TimetokenClock
from ..events import PRESENCE_SUFFIX, PresenceBatch
from ..keyset import Keyset
from ..pacing import slices

log = logging.getLogger("suppgram_tui.local_pubnub.presence")

State = dict[str, Any]


@dataclass(eq=False, slots=True)
class Occupant:
    """One uuid on one channel: alive while a poll is open or its window has not run out."""

    channel: str
    uuid: str
    timeout: float
    last_seen: float
    polls: int = 0
    """Subscribe polls open that list this channel for this uuid."""

    def expired(self, now: float) -> bool:
        return not self.polls and now - self.last_seen >= self.timeout


@dataclass
class Roster:
    """Presence of one subscribe key: occupants by channel, the reverse index, and state.

    `deadlines` is a heap of (when, tie, occupants of one uuid) to look at again then:
    pushed whenever an occupant's window starts (a heartbeat, a poll that ends), so the
    timeout sweep reads what is due instead of every occupant of the keyset.
    """

    occupants: dict[str, dict[str, Occupant]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """Each occupied channel's name, one string for all its occupants: every poll
    brings its own copy of each name it lists."""
    channels_of: dict[str, set[str]] = field(default_factory=dict)
    states: dict[str, dict[str, State]] = field(default_factory=dict)  # uuid -> channel -> state
    last_poll: dict[str, frozenset[str]] = field(default_factory=dict)
    deadlines: list[tuple[float, int, list[Occupant]]] = field(default_factory=list)
    _ties: Iterator[int] = field(default_factory=itertools.count)

    def occupancy(self, channel: str) -> int:
        return len(self.occupants.get(channel, ()))

    def state(self, uuid: str, channel: str) -> State | None:
        return self.states.get(uuid, {}).get(channel)

    def put_state(self, uuid: str, channel: str, state: State) -> None:
        if state:
            self.states.setdefault(uuid, {})[channel] = state
        else:
            self._drop_state(uuid, channel)

    def current(self, occupant: Occupant) -> bool:
        """Whether `occupant` is still the one on its channel (not left and rejoined)."""
        return self.occupants.get(occupant.channel, {}).get(occupant.uuid) is occupant

    def check_later(self, occupants: list[Occupant]) -> None:
        """Look at these occupants again when the first of their windows runs out."""
        if occupants:
            when = min(o.last_seen + o.timeout for o in occupants)
            heapq.heappush(self.deadlines, (when, next(self._ties), occupants))

    def remove(self, uuid: str, channel: str) -> bool:
        members = self.occupants.get(channel)
        if members is None or members.pop(uuid, None) is None:
            return False
        if not members:
            del self.occupants[channel]
            self.names.pop(channel, None)
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
    """The presence of one server: a roster per subscribe key, and the rules that change it.

    One change of one uuid on many channels (a poll naming 10,000 channels joins all of
    them) is announced as one `PresenceBatch`, not one event per channel.
    """

    def __init__(self, clock: TimetokenClock, keyset_of: Callable[[str], Keyset]) -> None:
        self._clock = clock
        self._keyset_of = keyset_of
        self.rosters: dict[str, Roster] = {}

    def roster(self, subkey: str) -> Roster:
        roster = self.rosters.get(subkey)
        if roster is None:
            roster = self.rosters[subkey] = Roster()
        return roster

    async def touch(self, keyset: Keyset, uuid: str, channels: Iterable[str], timeout: float,
                    poll: asyncio.Task[Any] | None = None, *, join_later: bool = False) -> None:
        """Keep `uuid` present on `channels`; the ones it was not on yet get a join.

        With `poll`, presence lasts while that subscribe poll is open, and its window
        starts when the poll closes. Long lists are done a slice at a time.
        """
        roster = self.roster(keyset.subkey)
        now = time.monotonic()
        touched: list[Occupant] = []
        joined: list[str] = []
        occupancy = array("L")
        if poll is not None:  # before any slice: a poll cancelled midway counts down too
            poll.add_done_callback(lambda _: self._poll_ended(roster, touched))
        async for names in slices(sorted(channels)):
            self._touch_slice(roster, uuid, names, timeout, now, poll is not None,
                              touched, joined, occupancy)
        self.announce(keyset, "join", uuid, joined, occupancy, later=join_later)
        if poll is None:
            roster.check_later([o for o in touched if not o.polls])

    @staticmethod
    def _touch_slice(roster: Roster, uuid: str, names: Sequence[str], timeout: float,
                     now: float, polled: bool, touched: list[Occupant], joined: list[str],
                     occupancy: array[int]) -> None:
        occupants, known, step = roster.occupants, roster.names, 1 if polled else 0
        where: set[str] | None = None
        for channel in names:
            members = occupants.get(channel)
            if members is None:
                members = occupants[channel] = {}
                known[channel] = channel
            else:
                channel = known[channel]
            occupant = members.get(uuid)
            if occupant is None:
                occupant = members[uuid] = Occupant(channel, uuid, timeout, now, step)
                if where is None:
                    where = roster.channels_of.setdefault(uuid, set())
                where.add(channel)
                joined.append(channel)
                occupancy.append(len(members))
            else:
                occupant.timeout = timeout
                occupant.last_seen = now
                occupant.polls += step
            touched.append(occupant)

    @staticmethod
    def _poll_ended(roster: Roster, touched: list[Occupant]) -> None:
        """The poll's window starts now; one that left meanwhile is skipped when due."""
        now = time.monotonic()
        idle: list[Occupant] = []
        for occupant in touched:
            occupant.polls -= 1
            if occupant.last_seen < now:
                occupant.last_seen = now
            if not occupant.polls:
                idle.append(occupant)
        roster.check_later(idle)

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
        gone: list[str] = []
        occupancy = array("L")
        for channel in sorted(channels):
            if roster.remove(uuid, channel):
                gone.append(channel)
                occupancy.append(roster.occupancy(channel))
        self.announce(keyset, action, uuid, gone, occupancy)

    def announce(self, keyset: Keyset, action: str, uuid: str, channels: list[str],
                 occupancy: array[int], data: State | None = None, *,
                 later: bool = False) -> None:
        """Publish one presence change on each `<channel>-pnpres`, with the occupancy each
        had then; `later` stamps it after the current request has answered, as PubNub's
        asynchronous presence service does."""
        if not channels:
            return
        args = (keyset, action, uuid, int(time.time()), tuple(channels), occupancy, data)
        if later:
            asyncio.get_running_loop().call_soon(self._publish, *args)
        else:
            self._publish(*args)

    def _publish(self, keyset: Keyset, action: str, uuid: str, timestamp: int,
                 channels: tuple[str, ...], occupancy: array[int], data: State | None) -> None:
        first = self._clock.reserve(len(channels))
        keyset.append_presence(PresenceBatch(first, action, uuid, timestamp, channels,
                                             occupancy, data))

    def change_state(self, keyset: Keyset, uuid: str, channel: str, state: State,
                     *, only_if_changed: bool = False, later: bool = False) -> None:
        roster = self.roster(keyset.subkey)
        if only_if_changed and (roster.state(uuid, channel) or {}) == state:
            return
        roster.put_state(uuid, channel, state)
        self.announce(keyset, "state-change", uuid, [channel],
                      array("L", [roster.occupancy(channel)]), state, later=later)

    def apply_states(self, keyset: Keyset, uuid: str, channels: list[str], states: State,
                     *, later: bool = False) -> None:
        """The `{channel: state}` a heartbeat or poll carries, for the channels it is on."""
        for channel, state in states.items():
            if channel in channels and isinstance(state, dict):
                self.change_state(keyset, uuid, channel, state, only_if_changed=True,
                                  later=later)

    def expire(self, now: float) -> None:
        """Announce `timeout` for every occupant whose window ran out with no poll open.

        Reads only the deadlines that are due; an occupant seen again since (a new poll,
        a heartbeat) is skipped here and looked at again by its newer deadline.
        """
        for subkey, roster in self.rosters.items():
            keyset = self._keyset_of(subkey)
            while roster.deadlines and roster.deadlines[0][0] <= now:
                _, _, occupants = heapq.heappop(roster.deadlines)
                due = [o for o in occupants if not o.polls and roster.current(o)]
                gone = [o.channel for o in due if o.expired(now)]
                roster.check_later([o for o in due if not o.expired(now)])
                if gone:
                    self.depart(keyset, occupants[0].uuid, gone, "timeout")

    async def expire_forever(self, interval: float) -> None:
        """Background job: check for timeouts every `interval` seconds."""
        while True:
            await asyncio.sleep(interval)
            try:
                self.expire(time.monotonic())
            except Exception:
                log.exception("presence timeout sweep failed")
