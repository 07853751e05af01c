"""Live events and the subscribe envelope they are delivered in (reference §4.4)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

REGION = 4
PRESENCE_SUFFIX = "-pnpres"

# `e` values: absent for a message.
SIGNAL, OBJECTS, MESSAGE_ACTION, FILE = 1, 2, 3, 4


@dataclass(slots=True)
class Event:
    """Anything a subscriber can receive: message, signal, presence, objects, action."""

    timetoken: int
    channel: str
    payload: Any
    publisher: str | None = None
    meta: Any = None
    custom_type: str | None = None
    event_type: int | None = None

    @property
    def is_presence(self) -> bool:
        return self.channel.endswith(PRESENCE_SUFFIX)

    def envelope(self, subkey: str, subscription: str | None) -> dict[str, Any]:
        """The `m[]` item; `subscription` is the group or pattern that matched, if any."""
        item: dict[str, Any] = {
            "a": "1",
            "f": 0,
            "p": {"t": str(self.timetoken), "r": REGION},
            "k": subkey,
            "c": self.channel,
            "d": self.payload,
        }
        if self.event_type is not None:
            item["e"] = self.event_type
        if self.publisher is not None:
            item["i"] = self.publisher
        if subscription is not None and subscription != self.channel:
            item["b"] = subscription
        if self.meta is not None:
            item["u"] = self.meta
        if self.custom_type is not None:
            item["cmt"] = self.custom_type
        return item


@dataclass(slots=True)
class PresenceBatch:
    """One presence change of one uuid on many channels, kept as one log entry.

    `channels[i]` has the event stamped `first + i` (the timetokens are reserved
    together), with `occupancy[i]` as it was then. A poll naming 10,000 channels adds
    one object to the log instead of 10,000 Events, and a subscriber gets the `Event`
    of its own channel, built when it is delivered.
    """

    first: int
    action: str
    uuid: str
    timestamp: int
    channels: tuple[str, ...]
    occupancy: array[int]
    data: Any = None

    @property
    def last(self) -> int:
        return self.first + len(self.channels) - 1

    def event(self, index: int) -> Event:
        """The event of `channels[index]`, on its `-pnpres` channel."""
        payload: dict[str, Any] = {"action": self.action, "uuid": self.uuid,
                                   "timestamp": self.timestamp,
                                   "occupancy": self.occupancy[index]}
        if self.data is not None:
            payload["data"] = self.data
        return Event(self.first + index, self.channels[index] + PRESENCE_SUFFIX, payload)
