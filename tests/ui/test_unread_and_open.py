"""Issue 12, items 5 and 6 with Pilot: what is read is what the agent chose to open.

A cursor move shows a conversation; Enter, a click or writing in it opens it; only an
opened conversation, in front of the agent, is read as messages come. Back from the
simulator (F4), what came meanwhile keeps its badge and is marked in the transcript.
"""

from __future__ import annotations

import pytest

from tests.helpers.console_harness import (
    console_app,
    list_text,
    open_simulator,
    transcript_text,
    wait_ready,
)
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until


@pytest.fixture
async def customers(local_server):
    made = []

    def build(uuid: str):
        client = customer_client(local_server.origin, uuid)
        made.append(client)
        return client

    yield build
    for client in made:
        await client.stop()


async def test_back_from_the_simulator_what_came_meanwhile_is_new_not_read(
        local_server, tmp_path, customers):
    dana = customers("dana")
    await open_conversation(dana, "dana-support", "hello")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        conversation = screen.inbox.conversations["dana-support"]
        await wait_until(lambda: "hello" in transcript_text(app))
        await pilot.press("enter")  # opened: read
        await wait_until(lambda: conversation.unread == 0 and conversation.read_marker)
        await open_simulator(app, pilot)
        await dana.publish().channel("dana-support").message(
            customer_payload("are you there?")).future()
        await wait_until(lambda: "are you there?" in transcript_text(app))
        await pilot.press("f4")  # back to the console
        await wait_until(lambda: app.screen is screen)
        await pilot.pause()
        assert conversation.unread == 1
        text = transcript_text(app)
        assert text.index("hello") < text.index("new since you left") \
            < text.index("are you there?"), text
        await pilot.press("enter")  # chosen again: now it is read
        await wait_until(lambda: conversation.unread == 0)


async def test_the_first_conversation_while_in_the_simulator_is_shown_not_read(
        local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await wait_ready(app)
        simulator = await open_simulator(app, pilot)
        await pilot.press(*"hello from the simulator", "enter")
        await wait_until(lambda: len(simulator.simulation.records) == 1)
        await wait_until(lambda: "hello from the simulator" in transcript_text(app))
        await pilot.press("f4")
        await wait_until(lambda: app.screen is screen)
        await pilot.pause()
        conversation = screen.inbox.conversations[screen.channel or ""]
        assert conversation.unread == 1 and " 1 " in list_text(app)


async def test_moving_the_cursor_shows_a_conversation_without_reading_it(
        local_server, tmp_path, customers):
    dana, eve = customers("dana"), customers("eve")
    await open_conversation(dana, "dana-support", "from dana")
    await open_conversation(eve, "eve-support", "from eve")  # eve: first row, shown
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        conversations = screen.inbox.conversations
        await wait_until(lambda: "from eve" in transcript_text(app))
        await pilot.press("down")
        await wait_until(lambda: "from dana" in transcript_text(app))
        assert screen.channel == "dana-support"
        assert (conversations["dana-support"].unread, conversations["eve-support"].unread) \
            == (1, 1)
        await dana.publish().channel("dana-support").message(
            customer_payload("still there?")).future()
        await wait_until(lambda: "still there?" in transcript_text(app))
        assert conversations["dana-support"].unread == 2  # shown is not read
        await pilot.press("enter")
        await wait_until(lambda: conversations["dana-support"].unread == 0)
        assert screen.query_one("#composer").has_focus
