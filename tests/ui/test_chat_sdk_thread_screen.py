"""A Chat SDK customer's thread and read position in the real console (issue 14 items 7
and 9): the reply count under the message, F8's thread screen live, the answer in the
customer's app, and "✓ read by" under the reply they read."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text
from textual.widgets import Input, Label, Static

from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.ui.screens.help import HelpScreen
from suppgram_tui.ui.screens.thread import ThreadScreen
from suppgram_tui.ui.widgets.key_bar import KeyBar
from tests.helpers.chat_customer import ChatCustomer
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import open_conversation
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.js
CHAT_SDK = "suppgram_tui.converters.ChatSdkConverter"


def thread_screen_text(app) -> str:
    content = app.screen.query_one("#thread-text", Static).content
    return content.plain if isinstance(content, Text) else str(content)


def title(app) -> str:
    return str(app.screen.query_one("#thread-title", Label).render())


def help_rows_text(help_screen: HelpScreen) -> str:
    return "\n".join(f"{title}\n" + "\n".join(f"{keys} {words}" for keys, words in rows)
                     for title, rows in help_screen.sections)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def test_a_thread_and_the_read_position_in_the_console(js_sdk, tmp_path):
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as server:
        customer = await ChatCustomer.start(js_sdk, server.origin, "cust-hana",
                                            script="chat_thread_customer.mjs")
        try:
            app = console_app(server.origin, tmp_path / "ann.json", hermetic=False,
                              converter_path=CHAT_SDK)
            async with app.run_test(size=(120, 36)) as pilot:
                screen = await wait_ready(app)
                first = (await customer.ask("send my order is wrong"))["timetoken"]
                await wait_until(lambda: "my order is wrong" in transcript_text(app))
                await pilot.press("enter")  # open it
                await customer.ask(f"thread {first} which item?")
                await wait_until(lambda: "thread: 1 reply (F8)" in transcript_text(app))
                await customer.ask(f"reply {first} the blue one")
                await wait_until(lambda: "thread: 2 replies (F8)" in transcript_text(app))
                assert "↳ cust-hana: the blue one" in transcript_text(app)
                assert any(item.label == "Thread" for item in app.screen.query_one(
                    KeyBar).items())

                await pilot.press("f8")
                await wait_until(lambda: isinstance(app.screen, ThreadScreen))
                assert "which item?" in thread_screen_text(app)
                assert title(app) == "Thread · 2 replies"
                await customer.ask(f"reply {first} and a red one [bold]x[/] \x1b[2J")  # live
                await wait_until(lambda: "and a red one" in thread_screen_text(app))
                assert "and a red one [bold]x[/] " in thread_screen_text(app)  # not markup
                assert "\x1b" not in thread_screen_text(app)
                assert app.screen.query_one(Input).has_focus
                await type_text(pilot, "Sending both today")
                await pilot.press("enter")
                history = await customer.ask(f"history {first}")
                assert [(m["text"], m["userId"]) for m in history["messages"]][-1] == (
                    "Sending both today", "support")
                await wait_until(lambda: "Sending both today" in thread_screen_text(app))
                assert app.screen.query_one(Input).value == ""
                await pilot.press("escape")
                await wait_until(lambda: app.screen is screen)
                await wait_until(lambda: "thread: 4 replies (F8)" in transcript_text(app))
                assert "PUBNUB_INTERNAL_THREAD" not in "\n".join(
                    screen.conversation_list.plain_rows())

                second = (await customer.ask("send and the invoice"))["timetoken"]
                await customer.ask(f"thread {second} it has the wrong address")
                await wait_until(lambda: "thread: 1 reply (F8)" in transcript_text(app))
                await pilot.press("f8")  # the newest thread on screen
                await wait_until(lambda: isinstance(app.screen, ThreadScreen))
                assert "wrong address" in thread_screen_text(app)
                assert title(app) == "Thread 2 of 2 · 1 reply"
                await pilot.press("ctrl+up")  # the conversation's other thread
                await wait_until(lambda: title(app) == "Thread 1 of 2 · 4 replies")
                assert "which item?" in thread_screen_text(app)
                await pilot.press("escape")
                await wait_until(lambda: app.screen is screen)

                await pilot.press("f1")
                await wait_until(lambda: isinstance(app.screen, HelpScreen))
                assert help_rows_text(app.screen).count("F8") == 1
                await pilot.press("escape")
                await wait_until(lambda: app.screen is screen)

                await pilot.press("escape")
                await pilot.press("enter")
                await type_text(pilot, "Anything else?")
                await pilot.press("enter")
                await wait_until(lambda: "Anything else?" in transcript_text(app))
                assert "✓ read by" not in transcript_text(app)
                await asyncio.sleep(0.3)
                await customer.ask("markRead")
                await wait_until(lambda: "✓ read by Hana Sato" in transcript_text(app))
                lines = transcript_text(app).splitlines()
                assert lines[lines.index("Anything else?") + 1] == "✓ read by Hana Sato"
                assert transcript_text(app).count("✓ read by") == 1
        finally:
            await customer.stop()


async def test_the_suppgram_default_has_no_thread_key(local_server, make_client, tmp_path):
    customer = make_client("cust-plain")
    await open_conversation(customer, "plain", "hello")
    app = console_app(local_server.origin, tmp_path / "ann.json", hermetic=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        await wait_until(lambda: "hello" in transcript_text(app))
        assert screen.check_action("thread", ()) is False
        assert not any(item.label == "Thread" for item in screen.query_one(KeyBar).items())
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen is screen
        assert "read by" not in transcript_text(app)
        await pilot.press("f1")
        await wait_until(lambda: isinstance(app.screen, HelpScreen))
        assert "Ctrl+G" in help_rows_text(app.screen)
        assert "F8" not in help_rows_text(app.screen)
        assert "thread" not in help_rows_text(app.screen).lower()


async def test_f8_starts_a_thread_on_the_newest_message(js_sdk, local_server, tmp_path):
    customer = await ChatCustomer.start(js_sdk, local_server.origin, "cust-new",
                                        script="chat_thread_customer.mjs")
    try:
        app = console_app(local_server.origin, tmp_path / "ann.json", hermetic=False,
                          converter_path=CHAT_SDK)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await wait_ready(app)
            first = (await customer.ask("send price and delivery?"))["timetoken"]
            await wait_until(lambda: "price and delivery?" in transcript_text(app))
            await pilot.press("enter")
            await pilot.press("f8")
            await wait_until(lambda: isinstance(app.screen, ThreadScreen))
            assert title(app) == "Thread · new: your answer starts it"
            await type_text(pilot, "The price first: 12 EUR")
            await pilot.press("enter")
            await wait_until(lambda: title(app) == "Thread · 1 reply")
            history = await customer.ask(f"history {first}")
            assert [(m["text"], m["userId"]) for m in history["messages"]] == [
                ("The price first: 12 EUR", "support")]
            await pilot.press("escape")
            await wait_until(lambda: app.screen is screen)
            await wait_until(lambda: "thread: 1 reply (F8)" in transcript_text(app))
    finally:
        await customer.stop()
