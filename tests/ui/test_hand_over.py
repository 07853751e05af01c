"""Hand over (issue 12 item 11): offered names, an unknown one warned, the receiver told."""

from __future__ import annotations

from suppgram_tui.inbox import Notice
from suppgram_tui.ui.screens.hand_over import HandOverScreen
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import InboxHarness, customer_client, open_conversation
from tests.helpers.wait import wait_until

CHANNEL = "hana-support"


async def _open_in_console(app, pilot) -> None:
    await wait_ready(app)
    await pilot.press("escape", "enter")  # the list, then open its only conversation
    await wait_until(lambda: "my parcel" in transcript_text(app))


def _hint(app) -> str:
    return str(app.screen.query_one("#hand-over-hint").render())


async def test_hand_over_offers_seen_agents_and_tells_the_receiver(local_server, tmp_path):
    customer = customer_client(local_server.origin, "hana")
    await open_conversation(customer, CHANNEL, "my parcel")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    bob.inbox.open(CHANNEL)  # bob's console is up: it says it is viewing
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _open_in_console(app, pilot)
            await wait_until(lambda: "bob" in app.console_screen.inbox.agents())
            await pilot.press("ctrl+o")
            await wait_until(lambda: isinstance(app.screen, HandOverScreen))
            assert "Seen: bob" in _hint(app)
            await pilot.press("b", "right", "enter")  # the suggestion completes "bob"
            await wait_until(lambda: bob.inbox.conversations[CHANNEL].assignee == "bob")
            await wait_until(lambda: any("Handed over to bob" in n.message
                                         for n in app._notifications))
            await wait_until(lambda: any(
                isinstance(e, Notice) and e.text == "ann handed the conversation with hana "
                "over to you." for e in bob.events))
    finally:
        await bob.stop()
        await customer.stop()


async def test_an_unknown_name_is_said_and_needs_a_second_enter(local_server, tmp_path):
    customer = customer_client(local_server.origin, "hana")
    await open_conversation(customer, CHANNEL, "my parcel")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await _open_in_console(app, pilot)
            await pilot.press("ctrl+o")
            await wait_until(lambda: isinstance(app.screen, HandOverScreen))
            assert "No other agent has been seen" in _hint(app)
            await pilot.press(*"bobb", "enter")
            assert isinstance(app.screen, HandOverScreen)
            assert "No agent named bobb has been seen" in _hint(app)
            conversation = app.console_screen.inbox.conversations[CHANNEL]
            assert conversation.assignee is None  # nothing handed over yet
            await pilot.press("enter")
            await wait_until(lambda: conversation.assignee == "bobb")
    finally:
        await customer.stop()
