"""One subscribe key's live state: channel groups, the recent events, parked polls.

Each subscribe key is a separate world, as on PubNub. The recent events (`EventBuffer`)
are what resuming subscribers read from; history lives in `Persistence`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .event_buffer import EventBuffer, index_prefix
from .events import PRESENCE_SUFFIX, Event, PresenceBatch
from .pacing import slices


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
        self.buffer = EventBuffer()
        self._by_channel: dict[str, set[Subscription]] = {}
        self._by_group: dict[str, set[Subscription]] = {}
        self._presence_by_channel: dict[str, set[Subscription]] = {}
        """Parked polls listing `<channel>-pnpres`, by `<channel>` (as `_by_group` for
        `<group>-pnpres`): a presence change reads them without building names."""
        self._presence_by_group: dict[str, set[Subscription]] = {}
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

    # recent events -------------------------------------------------------------

    def append(self, event: Event) -> None:
        """Record a live event and wake the polls it concerns."""
        self.buffer.append(event)
        for subscription in self._interested(event.channel):
            subscription.woken.set()

    def append_presence(self, batch: PresenceBatch) -> None:
        """Record one presence change on many channels and wake the polls it concerns."""
        self.buffer.append_batch(batch)
        if not self._presence_by_channel and not self._presence_by_group:
            return  # nobody is waiting for presence
        woken: set[Subscription] = set()
        for channel in batch.channels:
            woken.update(self._presence_by_channel.get(channel, ()))
            for group in self._groups_of.get(channel, ()):
                woken.update(self._presence_by_group.get(group, ()))
        for subscription in woken:
            subscription.woken.set()

    def events_after(self, subscription: Subscription, cursor: int,
                     limit: int) -> list[tuple[Event, str | None]]:
        """Up to `limit` events newer than `cursor` that `subscription` receives, oldest first.

        Only the streams the poll can receive from are read: its channels, its groups'
        members (their `-pnpres` channels for a presence group), its patterns' prefixes.
        """
        channels: set[str] = set()
        presence_of: set[str] = set()
        prefixes: set[str] = set()
        for name in subscription.channels:
            if name.endswith(".*"):
                prefixes.add(index_prefix(name[:-1]))
            else:
                channels.add(name)
        for group in subscription.groups:
            if group.endswith(PRESENCE_SUFFIX):
                presence_of.update(self.groups.get(group[: -len(PRESENCE_SUFFIX)], ()))
            else:
                channels.update(self.groups.get(group, ()))
        found: list[tuple[Event, str | None]] = []
        for event in self.buffer.events(channels, presence_of, prefixes, cursor):
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

    # parked polls ---------------------------------------------------------------

    async def park(self, subscription: Subscription) -> None:
        """Register a poll to be woken by the events it receives, a slice of channels at
        a time: an event that arrives meanwhile may not wake it, so look again after."""
        subscription.woken.clear()
        async for names in slices(list(subscription.channels)):
            plain, presence = self._by_channel, self._presence_by_channel
            for name in names:
                if name.endswith(".*"):
                    self._wildcard.add(subscription)
                elif name.endswith(PRESENCE_SUFFIX):
                    presence.setdefault(name[: -len(PRESENCE_SUFFIX)], set()).add(subscription)
                else:
                    subs = plain.get(name)
                    if subs is None:
                        subs = plain[name] = set()
                    subs.add(subscription)
        for group in subscription.groups:
            index, key = self._group_index(group)
            index.setdefault(key, set()).add(subscription)

    def unpark(self, subscription: Subscription) -> None:
        plain = self._by_channel
        for name in subscription.channels:
            subs = plain.get(name)
            if subs is not None:  # the common case: a plain channel
                subs.discard(subscription)
                if not subs:
                    del plain[name]
            elif name.endswith(PRESENCE_SUFFIX):
                _discard(*self._channel_index(name), subscription)
        for group in subscription.groups:
            _discard(*self._group_index(group), subscription)
        self._wildcard.discard(subscription)

    def _channel_index(self, name: str) -> tuple[dict[str, set[Subscription]], str]:
        if name.endswith(PRESENCE_SUFFIX):
            return self._presence_by_channel, name[: -len(PRESENCE_SUFFIX)]
        return self._by_channel, name

    def _group_index(self, name: str) -> tuple[dict[str, set[Subscription]], str]:
        if name.endswith(PRESENCE_SUFFIX):
            return self._presence_by_group, name[: -len(PRESENCE_SUFFIX)]
        return self._by_group, name

    def wake_all(self) -> None:
        """Release every parked poll (the server is stopping)."""
        for subscription in self._parked():
            subscription.woken.set()

    @property
    def parked_count(self) -> int:
        return len(self._parked())

    def _parked(self) -> set[Subscription]:
        indexes = (self._by_channel, self._by_group, self._presence_by_channel,
                   self._presence_by_group)
        return {s for index in indexes for subs in index.values() for s in subs} \
            | self._wildcard

    def _interested(self, channel: str) -> Iterator[Subscription]:
        if channel.endswith(PRESENCE_SUFFIX):
            base = channel[: -len(PRESENCE_SUFFIX)]
            yield from self._presence_by_channel.get(base, ())
            for group in self.groups_of(base):
                yield from self._presence_by_group.get(group, ())
        else:
            yield from self._by_channel.get(channel, ())
            for group in self.groups_of(channel):
                yield from self._by_group.get(group, ())
        yield from self._wildcard


def _discard(index: dict[str, set[Subscription]], key: str, subscription: Subscription) -> None:
    subs = index.get(key)
    if subs is not None:
        subs.discard(subscription)
        if not subs:
            del index[key]
