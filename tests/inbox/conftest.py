"""Fixtures of the inbox suite: real inboxes and SDK customers on the test's server."""

from __future__ import annotations

import pytest

from tests.helpers.inbox_harness import InboxHarness, customer_client


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
