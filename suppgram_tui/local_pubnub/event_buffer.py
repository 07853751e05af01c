"""The recent live events of one subscribe key, indexed so a poll reads only its own.

Resuming subscribers read from here (PubNub keeps such a buffer for 20 minutes). Each
event is in the keyset-wide log, which decides what is dropped first, and in the stream
of its channel; a published (not presence) event is also in the streams of its first two
dot-prefixes, for wildcard polls (`a.*`, `a.b.*`, reference §4.5). A poll then reads the
streams of the channels it names, of its groups' members, or of its patterns: what it
costs grows with what it can receive, never with the whole keyset's traffic.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from operator import itemgetter

from .events import PRESENCE_SUFFIX, Event, PresenceBatch

LOG_RETENTION_TICKS = 20 * 60 * 10_000_000  # 20 minutes, like PubNub's subscribe buffer
LOG_MAX_EVENTS = 500_000
WILDCARD_DEPTH = 2
"""Dots a wildcard pattern may have before its `*` on PubNub (`a.b.*`, reference §4.5);
deeper patterns read the stream of their first two levels and filter it."""

Entry = Event | PresenceBatch


class _Stream:
    """The entries of one channel (or prefix), oldest first, with their timetokens."""

    __slots__ = ("entries", "head", "timetokens")

    def __init__(self) -> None:
        self.timetokens = array("q")
        self.entries: list[Entry] = []
        self.head = 0

    def add(self, timetoken: int, entry: Entry) -> None:
        self.timetokens.append(timetoken)
        self.entries.append(entry)

    @property
    def newest(self) -> int:
        return self.timetokens[-1] if len(self.entries) > self.head else -1

    def after(self, cursor: int) -> Iterator[tuple[int, Entry]]:
        start = bisect_right(self.timetokens, cursor, lo=self.head)
        for index in range(start, len(self.entries)):
            yield self.timetokens[index], self.entries[index]

    def drop_oldest(self) -> bool:
        """Forget the oldest entry; True when nothing is left."""
        self.head += 1
        if self.head >= len(self.entries):
            return True
        if self.head > 1024 and self.head * 2 > len(self.entries):
            del self.timetokens[: self.head]
            del self.entries[: self.head]
            self.head = 0
        return False


def index_prefix(pattern_prefix: str) -> str:
    """The indexed prefix that holds every channel starting with `pattern_prefix` (which
    ends with a dot): itself, or its first `WILDCARD_DEPTH` levels."""
    end = -1
    for _ in range(WILDCARD_DEPTH):
        end = pattern_prefix.find(".", end + 1)
        if end < 0 or end == len(pattern_prefix) - 1:
            return pattern_prefix
    return pattern_prefix[: end + 1]


def _dot_prefixes(channel: str) -> Iterator[str]:
    end = -1
    for _ in range(WILDCARD_DEPTH):
        end = channel.find(".", end + 1)
        if end < 0:
            return
        yield channel[: end + 1]


class EventBuffer:
    """The log and its per-channel and per-prefix streams. Only the event loop touches it."""

    def __init__(self) -> None:
        self._log: deque[Entry] = deque()
        self._size = 0
        self._streams: dict[str, _Stream] = {}
        self._presence: dict[str, _Stream] = {}
        """Streams of `<channel>-pnpres`, by `<channel>`."""
        self._prefixes: dict[str, _Stream] = {}

    @property
    def event_count(self) -> int:
        """Events held (a presence batch counts one per channel)."""
        return self._size

    @property
    def entry_count(self) -> int:
        """Objects in the log: events, and presence batches as one each."""
        return len(self._log)

    def append(self, event: Event) -> None:
        self._log.append(event)
        self._size += 1
        if event.channel.endswith(PRESENCE_SUFFIX):
            base = event.channel[: -len(PRESENCE_SUFFIX)]
            self._stream(self._presence, base).add(event.timetoken, event)
        else:
            self._stream(self._streams, event.channel).add(event.timetoken, event)
            for prefix in _dot_prefixes(event.channel):
                self._stream(self._prefixes, prefix).add(event.timetoken, event)
        self._prune(event.timetoken)

    def append_batch(self, batch: PresenceBatch) -> None:
        self._log.append(batch)
        self._size += len(batch.channels)
        for index, channel in enumerate(batch.channels):
            self._stream(self._presence, channel).add(batch.first + index, batch)
        self._prune(batch.last)

    def events(self, channels: Iterable[str], presence_of: Iterable[str],
               prefixes: Iterable[str], cursor: int) -> Iterator[Event]:
        """Events after `cursor` on `channels` (exact names, `-pnpres` ones too), on the
        presence channels of `presence_of`, or under indexed `prefixes`; oldest first,
        each once."""
        sources = [stream.after(cursor)
                   for stream in self._find(channels, presence_of, prefixes)
                   if stream.newest > cursor]
        merged = sources[0] if len(sources) == 1 else heapq.merge(*sources, key=itemgetter(0))
        last = -1
        for timetoken, entry in merged:
            if timetoken == last:  # one event reached through two streams
                continue
            last = timetoken
            yield entry if isinstance(entry, Event) else entry.event(timetoken - entry.first)

    def _find(self, channels: Iterable[str], presence_of: Iterable[str],
              prefixes: Iterable[str]) -> Iterator[_Stream]:
        for name in channels:
            if name.endswith(PRESENCE_SUFFIX):
                stream = self._presence.get(name[: -len(PRESENCE_SUFFIX)])
            else:
                stream = self._streams.get(name)
            if stream is not None:
                yield stream
        for index, keys in ((self._presence, presence_of), (self._prefixes, prefixes)):
            for key in keys:
                stream = index.get(key)
                if stream is not None:
                    yield stream

    @staticmethod
    def _stream(index: dict[str, _Stream], key: str) -> _Stream:
        stream = index.get(key)
        if stream is None:
            stream = index[key] = _Stream()
        return stream

    def _prune(self, newest: int) -> None:
        oldest_allowed = newest - LOG_RETENTION_TICKS
        while self._log and (self._size > LOG_MAX_EVENTS or _newest(self._log[0]) < oldest_allowed):
            self._forget(self._log.popleft())

    def _forget(self, entry: Entry) -> None:
        """Drop the oldest entry of the log: it is the oldest of each of its streams."""
        if isinstance(entry, PresenceBatch):
            self._size -= len(entry.channels)
            for channel in entry.channels:
                self._drop(self._presence, channel)
        elif entry.channel.endswith(PRESENCE_SUFFIX):
            self._size -= 1
            self._drop(self._presence, entry.channel[: -len(PRESENCE_SUFFIX)])
        else:
            self._size -= 1
            self._drop(self._streams, entry.channel)
            for prefix in _dot_prefixes(entry.channel):
                self._drop(self._prefixes, prefix)

    @staticmethod
    def _drop(index: dict[str, _Stream], key: str) -> None:
        if index[key].drop_oldest():
            del index[key]


def _newest(entry: Entry) -> int:
    return entry.timetoken if isinstance(entry, Event) else entry.last
