"""An answer in a Chat SDK thread claims the conversation as a reply does: nobody's
becomes mine, and one another agent took first is not answered (ClaimLost, naming who)."""

from __future__ import annotations

import asyncio

import pytest

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.inbox import ClaimLost
from tests.helpers.chat_customer import wrote
from tests.helpers.wait import wait_until

from .test_chat_sdk_threads import thread_customer  # noqa: F401 - fixture

pytestmark = pytest.mark.js


async def test_answering_in_a_thread_claims_an_unassigned_conversation(
        harnesses, thread_customer, local_server):  # noqa: F811
    customer = await thread_customer(local_server.origin, "cust-claim")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    bob = await harnesses("bob", converter=ChatSdkConverter())
    first = await wrote(ann, customer, "which size?")
    conversation = ann.inbox.conversations[customer.channel]
    assert conversation.assignee is None
    thread = ann.inbox.start_thread(conversation.entry_at(first))
    await ann.inbox.reply_in_thread(thread, "Size M")
    assert conversation.assignee == "ann"
    await wait_until(lambda: (c := bob.inbox.conversations.get(customer.channel))
                     is not None and c.assignee == "ann")  # the claim went out


async def test_a_thread_answer_racing_another_agents_reply_loses_and_sends_nothing(
        harnesses, thread_customer, local_server):  # noqa: F811
    customer = await thread_customer(local_server.origin, "cust-race")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    bob = await harnesses("bob", converter=ChatSdkConverter())
    first = await wrote(ann, customer, "anyone?")
    await wait_until(lambda: customer.channel in bob.inbox.conversations)
    thread = ann.inbox.start_thread(ann.inbox.conversations[customer.channel].entry_at(first))
    outcomes = await asyncio.gather(
        bob.inbox.send_reply(customer.channel, "bob here"),
        ann.inbox.reply_in_thread(thread, "ann here"), return_exceptions=True)
    lost = [o for o in outcomes if isinstance(o, ClaimLost)]
    assert len(lost) == 1, outcomes
    if isinstance(outcomes[1], ClaimLost):  # ann lost: her answer never went out
        assert "bob" in str(lost[0])
        assert thread.replies == [] and not thread.created
        assert (await customer.ask(f"hasThread {first}")) == {"hasThread": False}
    else:
        assert "ann" in str(lost[0])
