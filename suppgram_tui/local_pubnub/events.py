"""Live events and the subscribe envelope they are delivered in (reference §4.4)."""

from __future__ import annotations

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
