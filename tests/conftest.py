"""Shared fixtures: a real local_pubnub server on a free port and real SDK clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pubnub.callbacks import SubscribeCallback
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.local_pubnub import LocalPubNub

from .js_support import js_sdk  # noqa: F401  (a session fixture for the JS SDK tests)

SUBSCRIBE_KEY = "sub-c-test"
PUBLISH_KEY = "pub-c-test"


async def wait_until(predicate: Callable[[], Any], timeout: float = 20.0,
                     interval: float = 0.02) -> Any:
    """Poll `predicate` until it is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


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


@pytest.fixture
async def local_server(tmp_path: Any) -> AsyncIterator[LocalPubNub]:
    async with LocalPubNub(poll_timeout=2.0) as server:
        yield server


@pytest.fixture
async def make_client(local_server: LocalPubNub) -> AsyncIterator[Callable[..., PubNubAsyncio]]:
    """Build SDK clients pointed at the local server; all are stopped at teardown."""
    clients: list[PubNubAsyncio] = []

    def build(uuid: str, *, secret_key: str | None = None, token: str | None = None,
              origin: str | None = None, **config: Any) -> PubNubAsyncio:
        pn_config = PNConfiguration()
        pn_config.subscribe_key = SUBSCRIBE_KEY
        pn_config.publish_key = PUBLISH_KEY
        pn_config.uuid = uuid
        pn_config.origin = origin or local_server.origin
        pn_config.ssl = False
        pn_config.secret_key = secret_key
        for name, value in config.items():
            setattr(pn_config, name, value)
        client = PubNubAsyncio(pn_config)
        if token:
            client.set_token(token)
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.stop()
