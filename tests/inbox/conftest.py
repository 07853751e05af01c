"""Fixtures of the inbox suite: real inboxes and SDK customers on the test's server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from suppgram_tui.link.sdk import call, make_client
from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.inbox_harness import InboxHarness, customer_client, link_settings
from tests.helpers.keys import PUBLISH_KEY

PAM_SECRET = "sec-c-inbox-test"
"""The secret key of `pam_server`'s keyset."""


@pytest.fixture
async def pam_server():
    """A server with Access Manager on; `server.admin` holds the secret key, and the
    channel c1-support is in the group support."""
    async with LocalPubNub(secret_key=PAM_SECRET, publish_key=PUBLISH_KEY,
                           poll_timeout=2.0) as server:
        admin = make_client(replace(link_settings(server.origin), secret_key=PAM_SECRET),
                            "backend")
        await call(admin.add_channel_to_channel_group().channels(["c1-support"])
                   .channel_group("support"))
        server.admin = admin  # type: ignore[attr-defined]
        yield server
        await admin.stop()


@pytest.fixture
async def harnesses(local_server, tmp_path):
    """`await harnesses("ann")`: a started inbox for agent ann, stopped at teardown."""
    made: list[InboxHarness] = []

    async def build(agent: str = "ann", origin: str | None = None, **kwargs) -> InboxHarness:
        harness = InboxHarness(origin or local_server.origin, tmp_path / f"{agent}.json",
                               agent, **kwargs)
        made.append(harness)
        return await harness.start()

    yield build
    for harness in made:
        try:
            await harness.stop()
        except Exception:  # noqa: BLE001 - already stopped by the test
            pass


@pytest.fixture
async def customers(local_server):
    """`customers("cust-1")`: an SDK client with that uuid, stopped at teardown."""
    made = []

    def build(uuid: str, origin: str | None = None):
        client = customer_client(origin or local_server.origin, uuid)
        made.append(client)
        return client

    yield build
    for client in made:
        await client.stop()
