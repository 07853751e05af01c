"""A customer on PubNub's Chat SDK, as the real console shows them (issue 14 items 7, 8,
9, 11): their name in the list, an edit and a reaction applied in the transcript, a read
receipt in their app, a custom event nowhere."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers.chat_customer import ChatCustomer
from tests.helpers.console_harness import console_app, list_text, transcript_text, wait_ready
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.js
CHAT_SDK = "suppgram_tui.converters.ChatSdkConverter"


async def test_a_chat_sdk_customer_in_the_console(js_sdk, local_server, tmp_path):
    customer = await ChatCustomer.start(js_sdk, local_server.origin, "cust-screen")
    try:
        app = console_app(local_server.origin, tmp_path / "ann.json", hermetic=False,
                          converter_path=CHAT_SDK)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            sent = (await customer.ask("send my parcel is late"))["timetoken"]
            await wait_until(lambda: "Dana Reyes" in list_text(app))
            await wait_until(lambda: "my parcel is late" in transcript_text(app))
            await pilot.press("enter")  # open it: the agent reads it

            deadline = asyncio.get_running_loop().time() + 10
            while not any(r["userId"] == "support" and r["lastReadTimetoken"] == sent
                          for r in (await customer.ask("receipts"))["receipts"]):
                assert asyncio.get_running_loop().time() < deadline, "no read receipt"
                await asyncio.sleep(0.2)

            await customer.ask(f"edit {sent} my parcel is very late")
            await customer.ask(f"react {sent} 👍")
            await wait_until(lambda: "· edited  👍" in transcript_text(app))
            assert "my parcel is very late" in transcript_text(app)
            assert "my parcel is very late" in list_text(app)  # the preview too

            await customer.ask('custom {"kind":"cart","items":2}')
            await customer.ask("send still there?")
            await wait_until(lambda: "still there?" in transcript_text(app))
            assert "undecodable" not in transcript_text(app)
            assert "cart" not in transcript_text(app) and "cart" not in list_text(app)
    finally:
        await customer.stop()
