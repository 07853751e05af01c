"""Messages that are no customer's show only in the raw view (F2), with why (issue 13
item 5), in the real console app against local_pubnub."""

from __future__ import annotations

from dataclasses import replace

import pytest

from suppgram_tui.ui.app import make_app
from tests.helpers.console_harness import console_settings, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until


@pytest.fixture
async def customers(local_server):
    made = []

    def build(uuid: str):
        made.append(customer_client(local_server.origin, uuid))
        return made[-1]

    yield build
    for client in made:
        await client.stop()


async def test_a_bots_message_shows_only_in_the_raw_view(local_server, tmp_path, customers):
    settings = console_settings(local_server.origin, tmp_path / "ann.json", hermetic=False)
    settings = replace(settings, agent=replace(settings.agent,
                                               ignored_publishers=("order-bot",)))
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await open_conversation(customers("dana"), "dana-support", "where is it?")
        await wait_until(lambda: "where is it?" in transcript_text(app))
        await customers("order-bot").publish().channel("dana-support") \
            .message(customer_payload("Order 17 [bold]shipped[/]")).future()
        conversation = app.console_screen.inbox.conversations["dana-support"]
        await wait_until(lambda: conversation.set_aside_entries)
        assert "Order 17" not in transcript_text(app)

        await pilot.press("f2")
        await wait_until(lambda: "ignored: order-bot is not a customer" in transcript_text(app))
        text = transcript_text(app)
        assert "Order 17 [bold]shipped[/]" in text  # the raw JSON, as text
        assert text.index("where is it?") < text.index("ignored: order-bot")
        await pilot.press("f2")
        await wait_until(lambda: "Order 17" not in transcript_text(app))
