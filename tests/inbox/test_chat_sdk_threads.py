"""Chat SDK threads and the customer's read position (issue 14 items 7 and 9), with a
customer app on @pubnub/chat (tests/js/chat_thread_customer.mjs): what the customer's
app got back is asserted, next to what the console holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pubnub.models.consumer.message_actions import PNMessageAction
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.inbox import Author, CustomerReadMoved, Delivery, EntryUpdated
from suppgram_tui.link.events import MembershipChanged
from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.chat_customer import ChatCustomer, eventually, shown, wrote
from tests.helpers.inbox_harness import customer_payload
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.js
SCRIPT = "chat_thread_customer.mjs"


@pytest.fixture
async def events_server() -> AsyncIterator[LocalPubNub]:
    """A server that sends App Context events, as a keyset with them switched on."""
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as server:
        yield server


@pytest.fixture
async def thread_customer(js_sdk) -> AsyncIterator[Callable[..., Any]]:
    made: list[ChatCustomer] = []

    async def build(origin: str, user_id: str) -> ChatCustomer:
        customer = await ChatCustomer.start(js_sdk, origin, user_id, script=SCRIPT)
        made.append(customer)
        return customer

    yield build
    for customer in made:
        await customer.stop()


async def test_a_thread_is_followed_live_and_answered_in_the_customers_app(
        harnesses, thread_customer, events_server):
    customer = await thread_customer(events_server.origin, "cust-thread")
    ann = await harnesses("ann", origin=events_server.origin, converter=ChatSdkConverter())
    first = await wrote(ann, customer, "my order is wrong")
    conversation = ann.inbox.conversations[customer.channel]
    parent = conversation.entry_at(first)
    ann.inbox.open(customer.channel)
    await wait_until(lambda: ann.inbox.chat_sdk and conversation.unread == 0)

    made = await customer.ask(f"thread {first} which item?")
    thread_name = f"PUBNUB_INTERNAL_THREAD_{customer.channel}_{first}"
    assert made["thread"] == thread_name  # the Chat SDK's naming, as the console's
    await wait_until(lambda: parent.thread is not None and len(parent.thread.replies) == 1)
    thread = parent.thread
    assert ann.link.receiver.extra == (thread_name,)  # watched by name, not in the group
    fetched = ann.link.requests["FetchMessages"]
    ann.inbox.mark_read(customer.channel)

    await customer.ask(f"reply {first} the blue one")  # live, not from history
    await wait_until(lambda: len(thread.replies) == 2)
    assert ann.link.requests["FetchMessages"] == fetched
    assert [(r.author, r.text) for r in thread.replies] == [
        (Author.CUSTOMER, "which item?"), (Author.CUSTOMER, "the blue one")]
    assert "thread: 2 replies (F8)" in shown(parent)
    assert shown(parent).endswith("  ↳ cust-thread: which item?\n  ↳ cust-thread: the blue one")
    assert conversation.unread == 1  # a badge: the customer wrote in a thread
    assert any(isinstance(e, EntryUpdated) and e.entry is parent for e in ann.events)
    assert thread_name not in ann.inbox.conversations  # never a conversation of its own
    assert [e.text for e in conversation.entries] == ["my order is wrong"]

    await customer.ask(f"listen {first}")
    reply = await ann.inbox.reply_in_thread(thread, "Sending the blue one today")
    assert reply.delivery is Delivery.SENT and reply.timetoken
    heard = await eventually(lambda: customer.ask("heard"), lambda a: a["heard"])
    assert heard["heard"] == [{"text": "Sending the blue one today", "userId": "support",
                               "timetoken": str(reply.timetoken),
                               "parentChannelId": customer.channel}]
    history = await customer.ask(f"history {first}")
    assert [(m["text"], m["userId"]) for m in history["messages"]] == [
        ("which item?", "cust-thread"), ("the blue one", "cust-thread"),
        ("Sending the blue one today", "support")]
    assert {m["parentChannelId"] for m in history["messages"]} == {customer.channel}
    await asyncio.sleep(0.3)  # my reply's echo adds nothing
    assert [r.text for r in thread.replies][-1] == "Sending the blue one today"
    assert len(thread.replies) == 3 and conversation.unread == 1

    bob = await harnesses("bob", origin=events_server.origin, converter=ChatSdkConverter())
    bob.inbox.open(customer.channel)  # a console started later reads it from history
    again = bob.inbox.conversations[customer.channel]
    await wait_until(lambda: (e := again.entry_at(first)) is not None and e.thread
                     and len(e.thread.replies) == 3)
    assert [r.author for r in again.entry_at(first).thread.replies] == [
        Author.CUSTOMER, Author.CUSTOMER, Author.AGENT]


async def test_the_customers_read_position_follows_their_app(
        harnesses, thread_customer, events_server):
    customer = await thread_customer(events_server.origin, "cust-reads")
    ann = await harnesses("ann", origin=events_server.origin, converter=ChatSdkConverter())
    await wrote(ann, customer, "hello?")
    conversation = ann.inbox.conversations[customer.channel]
    ann.inbox.open(customer.channel)
    reply = await ann.inbox.send_reply(customer.channel, "Hi Hana, how can I help?")
    await wait_until(lambda: reply.delivery is Delivery.SENT and reply.timetoken)
    await asyncio.sleep(0.3)
    assert conversation.customer_read == 0  # never marked

    await customer.ask("markRead")
    await wait_until(lambda: conversation.customer_read == reply.timetoken)
    assert any(isinstance(e, CustomerReadMoved) for e in ann.events)

    later = await ann.inbox.send_reply(customer.channel, "Are you still there?")
    await wait_until(lambda: later.timetoken is not None)
    set_at = await customer.ask(f"readAt {later.timetoken}")
    assert set_at == {"lastReadMessageTimetoken": str(later.timetoken)}
    await wait_until(lambda: conversation.customer_read == later.timetoken)

    bob = await harnesses("bob", origin=events_server.origin, converter=ChatSdkConverter())
    await wait_until(lambda: customer.channel in bob.inbox.conversations)
    bob.inbox.open(customer.channel)  # read from the membership when opened
    await wait_until(lambda: bob.inbox.conversations[customer.channel].customer_read
                     == later.timetoken)
    assert all(e.error is None for e in conversation.entries)  # no event dumped raw


async def test_without_app_context_events_the_receipt_signal_moves_it(
        harnesses, thread_customer, local_server):
    customer = await thread_customer(local_server.origin, "cust-signal")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    await wrote(ann, customer, "hi")
    reply = await ann.inbox.send_reply(customer.channel, "Hello!")
    await wait_until(lambda: reply.timetoken is not None)
    await customer.ask(f"readAt {reply.timetoken}")
    await wait_until(lambda: ann.inbox.conversations[customer.channel].customer_read
                     == reply.timetoken)


async def test_the_suppgram_default_follows_no_thread_and_reads_no_position(
        harnesses, customers, events_server):
    customer = customers("cust-plain", origin=events_server.origin)
    await customer.add_channel_to_channel_group().channels(["pt"]).channel_group("support") \
        .future()
    ann = await harnesses("ann", origin=events_server.origin)
    sent = await customer.publish().channel("pt").message(customer_payload("hi")).future()
    first = sent.result.timetoken
    await wait_until(lambda: "pt" in ann.inbox.conversations)
    action = PNMessageAction()
    action.type, action.value = "threadRootId", f"PUBNUB_INTERNAL_THREAD_pt_{first}"
    action.message_timetoken = str(first)
    await customer.add_message_action().channel("pt").message_action(action).future()
    await customer.publish().channel(action.value).message(customer_payload("in it")).future()
    await customer.set_memberships().uuid("cust-plain").channel_memberships(
        [PNChannelMembership("pt", {"lastReadMessageTimetoken": str(first)})]).future()
    ann.inbox.open("pt")
    await asyncio.sleep(0.5)
    assert ann.link.receiver.extra == ()
    assert ann.link.requests["GetChannelMembers"] == 0
    entry = ann.inbox.conversations["pt"].entry_at(first)
    assert entry.thread is None and ann.inbox.thread(entry) is None
    assert not any(isinstance(e, CustomerReadMoved) for e in ann.events)
    assert [e.text for e in ann.inbox.conversations["pt"].entries] == ["hi"]
    assert ann.inbox.conversations["pt"].entries[0].error is None
    assert any(isinstance(e, MembershipChanged) for e in ann.link_events)  # it came, unused


async def test_an_agent_starts_a_thread_as_the_chat_sdk_makes_one(
        harnesses, thread_customer, local_server):
    customer = await thread_customer(local_server.origin, "cust-start")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    first = await wrote(ann, customer, "two questions: price and delivery")
    entry = ann.inbox.conversations[customer.channel].entry_at(first)
    thread = ann.inbox.start_thread(entry)
    assert thread.channel == f"PUBNUB_INTERNAL_THREAD_{customer.channel}_{first}"
    assert (await customer.ask(f"hasThread {first}")) == {"hasThread": False}  # not yet

    await ann.inbox.reply_in_thread(thread, "About the price: 12 EUR")
    await eventually(lambda: customer.ask(f"hasThread {first}"), lambda a: a["hasThread"])
    history = await customer.ask(f"history {first}")  # getThread() needs its metadata
    assert [(m["text"], m["userId"], m["parentChannelId"]) for m in history["messages"]] == [
        ("About the price: 12 EUR", "support", customer.channel)]
    await wait_until(lambda: entry.actions is not None and entry.actions.thread)
    assert entry.thread is thread and [r.text for r in thread.replies] == [
        "About the price: 12 EUR"]

    await customer.ask(f"reply {first} and delivery?")  # the customer answers in it
    await wait_until(lambda: [r.text for r in thread.replies][-1:] == ["and delivery?"])
    assert "thread: 2 replies (F8)" in shown(entry)
