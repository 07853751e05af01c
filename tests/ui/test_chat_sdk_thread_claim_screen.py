"""F8's answer in another agent's conversation asks first, as a reply does; in nobody's
it claims: the header stops saying unassigned."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.inbox import ConversationAction
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.model import ConversationState
from suppgram_tui.ui.screens.confirm import ConfirmScreen
from suppgram_tui.ui.screens.thread import ThreadScreen
from tests.helpers.chat_customer import ChatCustomer
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import InboxHarness
from tests.helpers.wait import wait_until

from .test_chat_sdk_thread_screen import CHAT_SDK, type_text

pytestmark = pytest.mark.js


async def test_a_thread_answer_asks_first_in_bobs_conversation_and_claims_a_free_one(
        js_sdk, tmp_path):
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as server:
        hana = await ChatCustomer.start(js_sdk, server.origin, "cust-hana",
                                        script="chat_thread_customer.mjs")
        bob = await InboxHarness(server.origin, tmp_path / "bob.json", "bob",
                                 converter=ChatSdkConverter()).start()
        try:
            app = console_app(server.origin, tmp_path / "ann.json", hermetic=False,
                              converter_path=CHAT_SDK)
            async with app.run_test(size=(120, 36)) as pilot:
                screen = await wait_ready(app)
                first = (await hana.ask("send my order is wrong"))["timetoken"]
                await wait_until(lambda: "my order is wrong" in transcript_text(app))
                await wait_until(lambda: hana.channel in bob.inbox.conversations)
                await bob.inbox.apply(ConversationAction.CLAIM, hana.channel)
                conversation = screen.inbox.conversations[hana.channel]
                await wait_until(lambda: conversation.assignee == "bob")
                await pilot.press("enter")
                await hana.ask(f"thread {first} which item?")
                await wait_until(lambda: "thread: 1 reply (F8)" in transcript_text(app))
                await pilot.press("f8")
                await wait_until(lambda: isinstance(app.screen, ThreadScreen))
                await type_text(pilot, "On it")
                await pilot.press("enter")
                await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
                await pilot.press("escape")  # no: nothing sent, the answer kept
                await wait_until(lambda: isinstance(app.screen, ThreadScreen))
                assert app.screen.query_one(Input).value == "On it"
                history = await hana.ask(f"history {first}")
                assert [m["text"] for m in history["messages"]] == ["which item?"]
                assert conversation.assignee == "bob"

                await bob.inbox.apply(ConversationAction.RESOLVE, hana.channel)
                # this console knows it is resolved before the customer writes again: a
                # message arriving first would meet an open conversation and reopen nothing
                await wait_until(lambda: conversation.state is ConversationState.RESOLVED)
                # the resolve's App Context event may land after the reopen: old news, it
                # is ignored (tests/inbox/test_awareness.py)
                await hana.ask("send one more thing")  # back in the queue, nobody's
                await wait_until(lambda: conversation.assignee is None)
                await pilot.press("enter")  # free now: no question, and it is mine
                await wait_until(lambda: conversation.assignee == "ann")
                history = await hana.ask(f"history {first}")
                assert [m["text"] for m in history["messages"]][-1] == "On it"
                assert isinstance(app.screen, ThreadScreen)
        finally:
            await bob.stop()
            await hana.stop()
