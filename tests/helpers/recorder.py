"""A subscribe callback that keeps everything an SDK subscriber receives."""

from __future__ import annotations

from typing import Any

from pubnub.callbacks import SubscribeCallback


class Recorder(SubscribeCallback):
    """Collects everything a subscriber receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.signals: list[Any] = []
        self.presence_events: list[Any] = []
        self.statuses: list[Any] = []
        self.actions: list[Any] = []
        self.objects: list[Any] = []

    @property
    def connected(self) -> bool:
        return any(s.category.name == "PNConnectedCategory" for s in self.statuses)

    def status(self, pubnub: Any, status: Any) -> None:
        self.statuses.append(status)

    def message(self, pubnub: Any, message: Any) -> None:
        self.messages.append(message)

    def signal(self, pubnub: Any, signal: Any) -> None:
        self.signals.append(signal)

    def presence(self, pubnub: Any, presence: Any) -> None:
        self.presence_events.append(presence)

    def message_action(self, pubnub: Any, action: Any) -> None:
        self.actions.append(action)

    def channel(self, pubnub: Any, event: Any) -> None:
        self.objects.append(event)

    def uuid(self, pubnub: Any, event: Any) -> None:
        self.objects.append(event)

    def membership(self, pubnub: Any, event: Any) -> None:
        self.objects.append(event)
