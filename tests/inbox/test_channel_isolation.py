"""Issue 11 item 1: one unreadable channel in the group must not stop the others."""

from __future__ import annotations

import aiohttp
import pytest

from suppgram_tui.inbox.events import Notice
from tests.helpers.inbox_harness import (
    GROUP,
    InboxHarness,
    customer_client,
    customer_payload,
    open_conversation,
)
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.wait import wait_until


async def add_raw(origin: str, encoded: str) -> None:
    """Add a channel to the group with a name the SDK would not send (as a raw query)."""
    base = origin if origin.startswith("http") else "http://" + origin
    url = (f"{base}/v1/channel-registration/sub-key/{SUBSCRIBE_KEY}/channel-group/{GROUP}"
           f"?add={encoded}&uuid=mallory")
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        assert answer.status == 200


@pytest.mark.asyncio
async def test_newline_channel_is_skipped_and_reported(local_server, tmp_path):
    customer = customer_client(local_server.origin, "cust-a")
    try:
        await open_conversation(customer, "cust-a", "hello before")
        await add_raw(local_server.origin, "x%0Ay")
        await open_conversation(customer, "cust-b", "second customer")
        ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
        try:
            assert ann.link.features.history
            assert ann.texts("cust-a") == ["hello before"]
            assert ann.texts("cust-b") == ["second customer"]
            notices = [e.text for e in ann.events if isinstance(e, Notice)]
            assert any("x\\ny" in text or "x␊y" in text for text in notices), notices
            assert not any("\n" in text for text in notices)
            await customer.publish().channel("cust-a").message(
                customer_payload("live after")).future()
            await wait_until(lambda: "live after" in ann.texts("cust-a"))
        finally:
            await ann.stop()
    finally:
        await customer.stop()
