"""The console end to end: Pilot drives the real app against local_pubnub."""

from __future__ import annotations

import asyncio

import pytest

from suppgram_tui.inbox import ConversationAction
from suppgram_tui.model import ConversationState
from tests.helpers.console_harness import console_app, list_text, transcript_text, wait_ready
from tests.helpers.inbox_harness import (
    InboxHarness,
    customer_client,
    customer_payload,
    open_conversation,
)
from tests.helpers.recorder import Recorder
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


async def test_customer_message_updates_row_and_pane_and_reply_reaches_customer(
        local_server, tmp_path, customers):
    app = console_app(local_server.origin, tmp_path / "ann.json", hermetic=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        customer = customers("dana")
        heard = Recorder()
        customer.add_listener(heard)
        customer.subscribe().channels(["dana-support"]).execute()
        await open_conversation(customer, "dana-support", "my order is late")
        await wait_until(lambda: "my order is late" in list_text(app))
        await wait_until(lambda: "my order is late" in transcript_text(app))

        await pilot.press("tab")  # list → composer
        await pilot.press(*"On it, Dana")
        await pilot.press("enter")
        await wait_until(lambda: any(m.publisher == "support" for m in heard.messages))
        reply = next(m for m in heard.messages if m.publisher == "support")
        assert list(reply.message) == ["kind", "time", "text"]
        assert reply.message["kind"] == "from_agent" and reply.message["text"] == "On it, Dana"
        assert reply.user_metadata["agent"] == "ann"
        await wait_until(lambda: "✓" in transcript_text(app))


async def test_markup_and_escapes_from_a_customer_render_literally(local_server, tmp_path,
                                                                 customers):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)):
        await wait_ready(app)
        hostile = "[bold]loud[/] [link=http://x]x[/link] \x1b[2J\x1b]0;title\x07 end"
        await open_conversation(customers("eve"), "eve-support", hostile)
        await wait_until(lambda: "end" in transcript_text(app))
        shown = transcript_text(app)
        assert "[bold]loud[/]" in shown and "[link=http://x]x[/link]" in shown
        assert "␛[2J" in shown and "\x1b" not in shown and "\x07" not in shown
        assert "[bold]loud[/]" in list_text(app) and "\x1b" not in list_text(app)


async def test_claim_and_resolve_change_what_another_console_sees(local_server, tmp_path,
                                                                customers):
    await open_conversation(customers("finn"), "finn-support", "hello?")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: "hello?" in transcript_text(app))
            await pilot.press("ctrl+g")
            await wait_until(lambda: bob.inbox.conversations["finn-support"].assignee == "ann")
            await wait_until(lambda: "@ann" in list_text(app))
            await pilot.press("ctrl+r")
            await wait_until(lambda: bob.inbox.conversations["finn-support"].state
                             is ConversationState.RESOLVED)
            await wait_until(lambda: "resolved" in transcript_text(app))
            # bob claims it back after the customer writes again; ann sees bob
            await bob.inbox.apply(ConversationAction.CLAIM, "finn-support")
            await wait_until(lambda: "@bob" in list_text(app) or "resolved" not in
                             list_text(app))
    finally:
        await bob.stop()


async def test_a_lost_claim_is_a_toast_not_a_crash(local_server, tmp_path, customers):
    await open_conversation(customers("gus"), "gus-support", "anyone?")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: "anyone?" in transcript_text(app))
            await bob.inbox.apply(ConversationAction.CLAIM, "gus-support")
            await pilot.press("ctrl+g")
            await wait_until(lambda: any("bob" in n.message for n in app._notifications))
            assert app.console_screen.inbox.conversations["gus-support"].assignee == "bob"
    finally:
        await bob.stop()


async def test_drafts_survive_a_restart(local_server, tmp_path, customers):
    await open_conversation(customers("hal"), "hal-support", "hi")
    store = tmp_path / "ann.json"
    app = console_app(local_server.origin, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await wait_until(lambda: "hi" in transcript_text(app))
        await pilot.press("tab", *"half-written answer")
        await pilot.pause()
    again = console_app(local_server.origin, store)
    async with again.run_test(size=(120, 30)):
        await wait_ready(again)
        from suppgram_tui.ui.widgets.composer import Composer
        await wait_until(lambda: again.console_screen.query_one(Composer).text
                         == "half-written answer")


async def test_canned_reply_is_inserted_by_name(local_server, tmp_path, customers):
    from suppgram_tui.store import AgentStore
    store_path = tmp_path / "ann.json"
    with AgentStore(store_path) as store:
        store.set_canned_reply("thanks", "Thank you for waiting!")
    await open_conversation(customers("ida"), "ida-support", "hello")
    app = console_app(local_server.origin, store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await wait_until(lambda: "hello" in transcript_text(app))
        await pilot.press("tab", *"/thanks", "enter")
        from suppgram_tui.ui.widgets.composer import Composer
        assert app.console_screen.query_one(Composer).text == "Thank you for waiting!"
        await pilot.press("enter")
        await wait_until(lambda: "Thank you for waiting!" in transcript_text(app))


async def test_new_conversation_toasts_and_older_history_loads_on_scroll_up(
        local_server, tmp_path, customers):
    customer = customers("joe")
    await open_conversation(customer, "joe-support", "m0")
    for i in range(1, 60):
        await customer.publish().channel("joe-support").message(customer_payload(f"m{i}")) \
            .future()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)):
        await wait_ready(app)
        await wait_until(lambda: "m59" in transcript_text(app))
        view = app.console_screen.inbox.conversations["joe-support"]
        assert len(view.entries) == 25
        from suppgram_tui.ui.widgets.transcript import Transcript
        transcript = app.console_screen.query_one(Transcript)
        await wait_until(lambda: transcript.scroll_y > 0)  # follows the newest message
        transcript.scroll_home(animate=False)
        await wait_until(lambda: len(view.entries) == 60, timeout=10)
        await wait_until(lambda: "m0\n" in transcript_text(app))

        await open_conversation(customers("kim"), "kim-support", "first words")
        await wait_until(lambda: any("New conversation from kim" in n.message
                                     for n in app._notifications))


async def test_open_conversation_stays_open_when_another_agent_resolves_it(
        local_server, tmp_path, customers):
    await open_conversation(customers("lea"), "lea-support", "first")
    await open_conversation(customers("max"), "max-support", "second")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await pilot.press("alt+1")  # the New tab: lea will leave it when bob claims
            await wait_until(lambda: "lea-support" in app.console_screen
                             .conversation_list.rows)
            app.console_screen.conversation_list.select("lea-support")
            await pilot.press(*"Your invoice")  # typing in the list goes to the composer
            from suppgram_tui.ui.widgets.composer import Composer
            composer = app.console_screen.query_one(Composer)
            assert composer.text == "Your invoice" and composer.has_focus
            await bob.inbox.apply(ConversationAction.CLAIM, "lea-support")
            await bob.inbox.apply(ConversationAction.RESOLVE, "lea-support")
            await wait_until(lambda: "lea-support" not in app.console_screen
                             .conversation_list.rows)
            await pilot.pause(0.3)
            assert app.console_screen.channel == "lea-support"
            assert composer.text == "Your invoice"
    finally:
        await bob.stop()


async def test_unknown_canned_reply_is_not_sent(local_server, tmp_path, customers):
    customer = customers("ned")
    heard = Recorder()
    customer.add_listener(heard)
    customer.subscribe().channels(["ned-support"]).execute()
    await open_conversation(customer, "ned-support", "hi")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await wait_until(lambda: "hi" in transcript_text(app))
        await pilot.press(*"/thanks", "enter")
        await wait_until(lambda: any("No canned reply" in n.message
                                     for n in app._notifications))
        await pilot.pause(0.5)
        assert not any(m.publisher == "support" for m in heard.messages)


async def test_resolving_another_agents_conversation_asks_first(local_server, tmp_path,
                                                                customers):
    from suppgram_tui.ui.screens.confirm import ConfirmScreen

    await open_conversation(customers("ola"), "ola-support", "still waiting")
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await wait_ready(app)
            await bob.inbox.apply(ConversationAction.CLAIM, "ola-support")
            await wait_until(lambda: "@bob" in list_text(app))
            await pilot.press("ctrl+r")
            await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("escape")  # no: nothing changes
            await wait_until(lambda: app.screen is screen)
            await pilot.pause(0.3)
            assert screen.inbox.conversations["ola-support"].state is ConversationState.ASSIGNED
            await pilot.press("ctrl+r")
            await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("ctrl+r")  # the same key again: yes
            await wait_until(lambda: bob.inbox.conversations["ola-support"].state
                             is ConversationState.RESOLVED)
    finally:
        await bob.stop()


async def test_a_message_into_the_open_conversation_sorts_the_list_once(
        local_server, tmp_path, customers):
    """Its row moves once; marking it read repaints the row, it cannot move it, so nothing
    is re-sorted (and the whole list never is)."""
    customer = customers("pia")
    await open_conversation(customer, "pia-support", "first")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        conversations = screen.conversation_list
        conversation = screen.inbox.conversations["pia-support"]
        await wait_until(lambda: screen.channel == "pia-support" and "first" in
                         transcript_text(app))
        await pilot.press("enter")  # shown at start, opened now: what comes is read
        await wait_until(lambda: not conversation.has_older)  # asked for on opening it
        await asyncio.sleep(0.3)  # let the start-up redraws settle
        await pilot.pause()
        reorder, rebuild, reorders = conversations.reorder, conversations.rebuild, []

        def counted(channels: set[str]) -> None:
            reorders.append(channels)
            reorder(channels)

        def rebuilt() -> None:
            reorders.append("all")
            rebuild()
        conversations.reorder = counted  # type: ignore[method-assign]
        conversations.rebuild = rebuilt  # type: ignore[method-assign]
        await customer.publish().channel("pia-support").message(customer_payload("second")) \
            .future()
        await wait_until(lambda: "second" in transcript_text(app))
        await wait_until(lambda: conversation.unread == 0 and conversation.read_marker
                         == conversation.last_activity)
        await asyncio.sleep(0.3)  # the read marker's repaint has come and gone
        assert reorders == [{"pia-support"}]  # moved once, nothing else sorted
        assert "second" in list_text(app) and " 1 " not in list_text(app)  # no badge


async def test_enter_sends_everything_typed_before_it_even_when_keys_come_fast(
        local_server, tmp_path, customers):
    """A paste or a fast typist: Enter is handled in order with the keys before it."""
    from textual import events

    customer = customers("quin")
    heard = Recorder()
    customer.add_listener(heard)
    customer.subscribe().channels(["quin-support"]).execute()
    await open_conversation(customer, "quin-support", "hi")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await wait_until(lambda: "hi" in transcript_text(app))
        await pilot.press("tab")
        for key in [*"late", "enter"]:  # queued at once, as a terminal delivers them
            app.post_message(events.Key(key, None if key == "enter" else key))
        await wait_until(lambda: any(m.publisher == "support" for m in heard.messages))
        reply = next(m for m in heard.messages if m.publisher == "support")
        assert reply.message["text"] == "late"


async def test_undo_in_another_conversation_brings_back_nothing_of_the_last(
        local_server, tmp_path, customers):
    """Moving on with an empty composer keeps it as it is (no redraw), but not its
    undo history: Ctrl+Z must not bring one customer's words into another's reply."""
    from suppgram_tui.ui.widgets.composer import Composer
    await open_conversation(customers("hal"), "hal-support", "hi from hal")
    await open_conversation(customers("ivy"), "ivy-support", "hi from ivy")
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        await wait_until(lambda: "hi from ivy" in transcript_text(app))
        await pilot.press("tab", *"about your card ending 4242")
        composer = screen.query_one(Composer)
        assert composer.text == "about your card ending 4242"
        await pilot.press(*["backspace"] * len(composer.text))
        assert composer.text == ""
        await pilot.press("escape", "down")
        await wait_until(lambda: "hi from hal" in transcript_text(app))
        await pilot.press("tab", "ctrl+z")
        await pilot.pause()
        assert screen.channel == "hal-support" and composer.text == ""
