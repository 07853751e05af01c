"""What the agent sees of a reply that cannot go out as it is (issue 12, items 7, 8, 10).

The real console (Pilot) against local_pubnub, a second agent as a real inbox, and the
customer's own SDK client to check what reached the customer.
"""

from __future__ import annotations

import asyncio

import pytest

from suppgram_tui.inbox import ConversationAction
from suppgram_tui.store import AgentStore, OutboxEntry
from suppgram_tui.ui.screens.confirm import ConfirmScreen
from suppgram_tui.ui.screens.quit_confirm import QuitConfirmScreen
from suppgram_tui.ui.widgets.composer import Composer
from suppgram_tui.ui.widgets.reply_size import ReplySizeMeter
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import InboxHarness, customer_client, open_conversation
from tests.helpers.wait import wait_until

CHANNEL = "rita-support"


@pytest.fixture
async def customer(local_server):
    client = customer_client(local_server.origin, "rita")
    await open_conversation(client, CHANNEL, "my parcel is lost")
    yield client
    await client.stop()


async def agent_replies(customer) -> list[str]:
    result = await customer.fetch_messages().channels([CHANNEL]).future()
    return [item.message["text"] for item in result.result.channels.get(CHANNEL, [])
            if item.message.get("kind") == "from_agent"]


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_rita(app, pilot) -> Composer:
    screen = await wait_ready(app)
    await wait_until(lambda: CHANNEL in screen.conversation_list.rows)
    screen.conversation_list.select(CHANNEL)
    await wait_until(lambda: screen.channel == CHANNEL)
    composer = screen.query_one(Composer)
    composer.focus()
    await pilot.pause()
    return composer


async def test_a_claim_lost_at_enter_keeps_the_reply_in_the_composer_and_says_who(
        local_server, tmp_path, customer):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        composer = await open_rita(app, pilot)
        # bob took it a moment ago; this console has not heard yet (no signal)
        await customer.set_channel_metadata().channel(f"suppgram-state.{CHANNEL}") \
            .custom({"state": "assigned", "assignee": "bob", "tags": ""}).future()
        assert app.console_screen.inbox.conversations[CHANNEL].assignee is None
        await pilot.press(*"On it", "enter")
        await wait_until(lambda: any("Not sent: bob already has this conversation" in t
                                     for t in toasts(app)))
        assert composer.text == "On it"
        assert "On it" not in transcript_text(app)
        assert app.console_screen.inbox.conversations[CHANNEL].assignee == "bob"
    assert await agent_replies(customer) == []


async def test_replying_in_another_agents_conversation_asks_first(
        local_server, tmp_path, customer):
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            composer = await open_rita(app, pilot)
            await wait_until(lambda: bob.texts(CHANNEL))
            await bob.inbox.apply(ConversationAction.CLAIM, CHANNEL)
            inbox = app.console_screen.inbox
            await wait_until(lambda: inbox.conversations[CHANNEL].assignee == "bob")

            await pilot.press(*"Let me help", "enter")
            await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
            assert "bob has this conversation. Reply anyway?" in app.screen.question
            await pilot.press("escape")
            await wait_until(lambda: app.screen is app.console_screen)
            assert composer.text == "Let me help"
            await asyncio.sleep(0.2)
            assert await agent_replies(customer) == []

            await pilot.press("enter")
            await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("enter")
            await wait_until(lambda: inbox.status().pending_replies == 0
                             and "Let me help" in transcript_text(app))
            assert composer.text == ""
            assert inbox.conversations[CHANNEL].assignee == "bob"  # still bob's
        assert await agent_replies(customer) == ["Let me help"]
    finally:
        await bob.stop()


async def test_the_size_shows_near_the_limit_and_an_oversized_reply_stays(
        local_server, tmp_path, customer):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        composer = await open_rita(app, pilot)
        meter = app.console_screen.query_one(ReplySizeMeter)
        await pilot.press(*"Hello")
        await pilot.pause()
        assert not meter.display

        composer.load_text("x" * 28_000)
        await wait_until(lambda: meter.display and "Reply size 27." in str(meter.render()))
        assert "of 32 KB" in str(meter.render()) and not meter.has_class("-over")

        paste = "0123456789 log line\n" * 2150  # 43 KB
        composer.load_text(paste)
        await wait_until(lambda: meter.has_class("-over"))
        assert "too large for PubNub, Enter will not send it" in str(meter.render())
        await pilot.press("enter")
        await wait_until(lambda: any("once encoded for PubNub, which takes at most 32 KB"
                                     in t for t in toasts(app)))
        assert composer.text == paste
        assert app.console_screen.inbox.status().pending_replies == 0

        composer.load_text("")
        await wait_until(lambda: not meter.display)
    assert await agent_replies(customer) == []


async def test_f5_on_a_reply_whose_claim_was_lost_asks_before_sending_it(
        local_server, tmp_path, customer):
    """Written offline, and bob took the conversation meanwhile: the reply failed, naming
    bob; F5 sends it into bob's conversation only once confirmed."""
    store_path = tmp_path / "ann.json"
    with AgentStore(store_path) as store:
        store.outbox_add(OutboxEntry("late", CHANNEL, {
            "kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000",
            "text": "written offline"}, {"agent": "ann", "client_id": "late"}, claim=True))
    await customer.set_channel_metadata().channel(f"suppgram-state.{CHANNEL}") \
        .custom({"state": "assigned", "assignee": "bob", "tags": ""}).future()
    app = console_app(local_server.origin, store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "failed: bob already has this conversation"
                         in transcript_text(app))
        await pilot.press("f5")
        await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "bob has this conversation. Send anyway?"
        await pilot.press("escape")
        await asyncio.sleep(0.2)
        assert await agent_replies(customer) == []
        await pilot.press("f5")
        await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("f5")
        await wait_until(lambda: app.console_screen.inbox.status().pending_replies == 0)
    assert await agent_replies(customer) == ["written offline"]


async def test_quitting_with_an_undelivered_reply_says_so_and_asks(
        local_server, tmp_path, customer):
    store_path = tmp_path / "ann.json"
    with AgentStore(store_path) as store:  # one PubNub refuses: it stays failed
        store.outbox_add(OutboxEntry("big", CHANNEL, {
            "kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000",
            "text": "x" * 40_000}, {"agent": "ann", "client_id": "big"}))
    app = console_app(local_server.origin, store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await wait_until(lambda: "failed:" in transcript_text(app))
        await pilot.press("ctrl+q")
        await wait_until(lambda: isinstance(app.screen, QuitConfirmScreen))
        question = app.screen.question
        assert question.startswith("1 reply has not reached the customer yet: 1 to "
                                   f"{CHANNEL}. Quit anyway?")
        await pilot.press("escape")
        await wait_until(lambda: app.screen is app.console_screen)
        assert app.is_running

        await pilot.press("ctrl+q")
        await wait_until(lambda: isinstance(app.screen, QuitConfirmScreen))
        await pilot.press("ctrl+q")  # the same key again: yes
        await wait_until(lambda: not app.is_running)


async def test_quitting_with_everything_delivered_does_not_ask(local_server, tmp_path,
                                                               customer):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        await pilot.press(*"Found it", "enter")
        await wait_until(lambda: app.console_screen.inbox.status().pending_replies == 0
                         and "Found it" in transcript_text(app))
        await pilot.press("ctrl+q")
        await wait_until(lambda: not app.is_running)
    assert await agent_replies(customer) == ["Found it"]
