"""Fixtures only: a real local_pubnub server on a free port and real SDK clients.

Helpers live in tests/helpers/ and are imported from there, never from here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.js_support import js_sdk  # noqa: F401  (a session fixture for the JS SDK tests)
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY


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
