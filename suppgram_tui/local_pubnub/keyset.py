"""One subscribe key's live state: channel groups, the recent event log, parked polls.

Each subscribe key is a separate world, as on PubNub. The event log is what resuming
subscribers read from; history lives in `Persistence`.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .events import PRESENCE_SUFFIX, Event

LOG_RETENTION_TICKS = 20 * 60 * 10_000_000  # 20 minutes, like PubNub's subscribe buffer
LOG_MAX_EVENTS = 500_000


@dataclass(eq=False)
class Subscription:
    """What one subscribe poll asked for: channels (maybe `-pnpres`) and groups."""

    channels: frozenset[str]
    groups: frozenset[str]
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def wildcards(self) -> list[str]:
        return [ch for ch in self.channels if ch.endswith(".*")]


class Keyset:
    """State for one subscribe key. Only the event loop thread touches it."""

    def __init__(self, subkey: str) -> None:
        self.subkey = subkey
        self.groups: dict[str, set[str]] = {}
        self._groups_of: dict[str, set[str]] = {}
        self._log: list[Event] = []
        self._head = 0
        self._by_channel: dict[str, set[Subscription]] = {}
        self._by_group: dict[str, set[Subscription]] = {}
        self._wildcard: set[Subscription] = set()

    # channel groups ------------------------------------------------------------

    def add_to_group(self, group: str, channels: Iterable[str]) -> None:
        members = self.groups.setdefault(group, set())
        for channel in channels:
            members.add(channel)
            self._groups_of.setdefault(channel, set()).add(group)

    def remove_from_group(self, group: str, channels: Iterable[str]) -> None:
        members = self.groups.get(group, set())
        for channel in channels:
            members.discard(channel)
            owners = self._groups_of.get(channel)
            if owners is not None:
                owners.discard(group)
                if not owners:
                    del self._groups_of[channel]
        if not members:
            self.groups.pop(group, None)

    def delete_group(self, group: str) -> None:
        self.remove_from_group(group, list(self.groups.get(group, ())))

    def groups_of(self, channel: str) -> set[str]:
        return self._groups_of.get(channel, set())

    # event log ----------------------------------------------------------------

    def append(self, event: Event) -> None:
        """Record a live event and wake the polls it concerns."""
        self._log.append(event)
        self._prune(event.timetoken)
        for subscription in self._interested(event.channel):
            subscription.woken.set()

    def events_after(self, subscription: Subscription, cursor: int,
                     limit: int) -> list[tuple[Event, str | None]]:
        """Up to `limit` events newer than `cursor` that `subscription` receives, oldest first."""
        start = bisect_right(self._log, cursor, lo=self._head, key=_timetoken)
        found: list[tuple[Event, str | None]] = []
        for index in range(start, len(self._log)):
            event = self._log[index]
            matched, via = self.match(subscription, event.channel)
            if matched:
                found.append((event, via))
                if len(found) >= limit:
                    break
        return found

    def match(self, subscription: Subscription, channel: str) -> tuple[bool, str | None]:
        """Whether a poll receives events of `channel`, and through which subscription."""
        if channel in subscription.channels:
            return True, channel
        if channel.endswith(PRESENCE_SUFFIX):
            base = channel[: -len(PRESENCE_SUFFIX)]
            for group in sorted(self.groups_of(base)):
                if group + PRESENCE_SUFFIX in subscription.groups:
                    return True, group + PRESENCE_SUFFIX
            return False, None
        for group in sorted(self.groups_of(channel)):
            if group in subscription.groups:
                return True, group
        for pattern in subscription.wildcards:
            if channel.startswith(pattern[:-1]):
                return True, pattern
        return False, None

    def _prune(self, newest: int) -> None:
        oldest_allowed = newest - LOG_RETENTION_TICKS
        while self._head < len(self._log) and (
            self._log[self._head].timetoken < oldest_allowed
            or len(self._log) - self._head > LOG_MAX_EVENTS
        ):
            self._head += 1
        if self._head > 1024 and self._head * 2 > len(self._log):
            del self._log[: self._head]
            self._head = 0

    # parked polls ---------------------------------------------------------------

    def park(self, subscription: Subscription) -> None:
        subscription.woken.clear()
        for channel in subscription.channels:
            if channel.endswith(".*"):
                self._wildcard.add(subscription)
            else:
                self._by_channel.setdefault(channel, set()).add(subscription)
        for group in subscription.groups:
            self._by_group.setdefault(group, set()).add(subscription)

    def unpark(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            _discard(self._by_channel, channel, subscription)
        for group in subscription.groups:
            _discard(self._by_group, group, subscription)
        self._wildcard.discard(subscription)

    def wake_all(self) -> None:
        """Release every parked poll (the server is stopping)."""
        for subs in (*self._by_channel.values(), *self._by_group.values(), self._wildcard):
            for subscription in subs:
                subscription.woken.set()

    @property
    def parked_count(self) -> int:
        return len({s for subs in (*self._by_channel.values(), *self._by_group.values())
                    for s in subs} | self._wildcard)

    def _interested(self, channel: str) -> Iterator[Subscription]:
        yield from self._by_channel.get(channel, ())
        base = channel[: -len(PRESENCE_SUFFIX)] if channel.endswith(PRESENCE_SUFFIX) else None
        suffix = PRESENCE_SUFFIX if base is not None else ""
        for group in self.groups_of(base if base is not None else channel):
            yield from self._by_group.get(group + suffix, ())
        yield from self._wildcard


def _timetoken(event: Event) -> int:
    return event.timetoken


def _discard(index: dict[str, set[Subscription]], key: str, subscription: Subscription) -> None:
    subs = index.get(key)
    if subs is not None:
        subs.discard(subscription)
        if not subs:
            del index[key]
