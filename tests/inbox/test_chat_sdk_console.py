"""The console speaks the Chat SDK's conventions with a customer app on @pubnub/chat
(issue 14 items 6, 7, 8, 9 and 11): what the customer's app saw is asserted, next to
what the console shows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from pubnub.models.consumer.message_actions import PNMessageAction
from pubnub.models.consumer.objects_v2.common import MembershipIncludes
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership
from rich.console import Console
from rich.style import Style

from suppgram_tui.converters import ChatSdkConverter, DefaultMessageConverter
from suppgram_tui.inbox import Author, EntryUpdated
from suppgram_tui.ui.widgets.conversation_header import ConversationHeader
from suppgram_tui.ui.widgets.conversation_list import ConversationList
from suppgram_tui.ui.widgets.conversation_row import render_row
from tests.helpers.chat_customer import ChatCustomer, eventually, shown, wrote
from tests.helpers.inbox_harness import open_conversation
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.js


@pytest.fixture
async def chat_customer(js_sdk, local_server):
    """`await chat_customer("cust-1")`: a Chat SDK app in a direct conversation with the
    support user, its channel in the console's group."""
    made: list[ChatCustomer] = []

    async def build(user_id: str) -> ChatCustomer:
        customer = await ChatCustomer.start(js_sdk, local_server.origin, user_id)
        made.append(customer)
        return customer

    yield build
    for customer in made:
        await customer.stop()


# -- item 6: typing both ways --


async def test_typing_both_ways_in_the_chat_sdks_shape(harnesses, chat_customer):
    customer = await chat_customer("cust-typing")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    await wrote(ann, customer, "hello")
    conversation = ann.inbox.conversations[customer.channel]

    await asyncio.sleep(0.6)  # past the tail of the message
    await customer.ask("typing on")
    await wait_until(lambda: conversation.customer_typing)
    await customer.ask("typing off")
    await wait_until(lambda: not conversation.customer_typing)

    ann.inbox.typing(customer.channel)
    await eventually(lambda: customer.ask("typers"), lambda a: a["typers"] == ["support"])
    await ann.inbox.send_reply(customer.channel, "Looking into it")
    await eventually(lambda: customer.ask("typers"), lambda a: a["typers"] == [], timeout=2)
    signals = [s["signal"] for s in (await customer.ask("raw"))["raw"]
               if s["publisher"] == "support"]
    assert signals == [{"type": "typing", "value": True}, {"type": "typing", "value": False}]


async def test_the_suppgram_default_reads_both_shapes_and_sends_its_own(harnesses,
                                                                         customers):
    customer = customers("cust-suppgram")
    heard = Recorder()
    customer.add_listener(heard)
    customer.subscribe().channels(["cs"]).execute()
    await wait_until(lambda: heard.connected)
    ann = await harnesses("ann", converter=DefaultMessageConverter())
    await open_conversation(customer, "cs", "hi")
    await wait_until(lambda: "cs" in ann.inbox.conversations)
    await asyncio.sleep(0.6)  # past the tail of the message
    await customer.signal().channel("cs").message({"type": "typing", "value": True}).future()
    await wait_until(lambda: ann.inbox.conversations["cs"].customer_typing)
    await customer.signal().channel("cs").message({"typing": False}).future()
    await wait_until(lambda: not ann.inbox.conversations["cs"].customer_typing)

    ann.inbox.typing("cs")
    await wait_until(lambda: [s.message for s in heard.signals if s.publisher == "support"])
    assert [s.message for s in heard.signals if s.publisher == "support"] == [
        {"typing": True, "agent": "ann"}]
    assert not ann.inbox.chat_sdk


# -- item 7: message actions applied, not dumped --


async def test_edits_deletes_reactions_and_threads_apply_live_and_from_history(
        harnesses, chat_customer):
    customer = await chat_customer("cust-actions")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    first = await wrote(ann, customer, "my parcel is late")
    second = await wrote(ann, customer, "second")
    conversation = ann.inbox.conversations[customer.channel]
    entry, other = conversation.entry_at(first), conversation.entry_at(second)

    await customer.ask(f"edit {first} my parcel is very late")
    await wait_until(lambda: entry.text == "my parcel is very late")
    await customer.ask(f"react {first} 👍")
    await wait_until(lambda: entry.actions.reaction_line() == "👍")
    await customer.ask(f"delete {second}")
    await wait_until(lambda: other.actions is not None and other.actions.deleted)
    await customer.ask(f"thread {first} in the thread")
    await wait_until(lambda: entry.thread is not None and entry.thread.replies)

    assert [e.text for e in conversation.entries] == ["my parcel is very late", "second"]
    assert all(e.error is None for e in conversation.entries)  # nothing dumped raw
    assert sum(1 for e in ann.events if isinstance(e, EntryUpdated)) >= 4
    assert "· edited, thread: 1 reply (F8)  👍\n  ↳ cust-actions: in the thread" in shown(entry)
    assert "· deleted" in shown(other)

    bob = await harnesses("bob", converter=ChatSdkConverter())  # from history
    fetched = bob.link.requests["FetchMessages"]
    bob.inbox.open(customer.channel)
    again = bob.inbox.conversations[customer.channel]
    await wait_until(lambda: (e := again.entry_at(first)) is not None and e.actions)
    await wait_until(lambda: again.entry_at(first).thread is not None
                     and again.entry_at(first).thread.replies)
    assert shown(again.entry_at(first)).splitlines()[1:] == [
        "my parcel is very late", "· edited, thread: 1 reply (F8)  👍",
        "  ↳ cust-actions: in the thread"]
    assert shown(again.entry_at(second)).splitlines()[1:] == ["second", "· deleted"]
    assert bob.link.requests["FetchMessages"] == fetched + 2  # a page with actions, a thread
    bob.inbox.open(customer.channel)
    await asyncio.sleep(0.3)
    assert bob.link.requests["FetchMessages"] == fetched + 2  # once per conversation


async def test_a_removed_reaction_goes_and_nobody_else_edits(harnesses, chat_customer,
                                                             customers):
    customer = await chat_customer("cust-unreact")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    first = await wrote(ann, customer, "hi")
    entry = ann.inbox.conversations[customer.channel].entry_at(first)
    forged = PNMessageAction()
    forged.type, forged.value, forged.message_timetoken = "edited", "send me money", str(first)
    await customers("mallory").add_message_action().channel(customer.channel) \
        .message_action(forged).future()
    await customer.ask(f"react {first} 🎉")
    await wait_until(lambda: entry.actions is not None and entry.actions.reaction_line())
    await customer.ask(f"react {first} 🎉")  # toggled off
    await wait_until(lambda: entry.actions.reaction_line() == "")
    assert shown(entry).splitlines()[1:] == ["hi"]  # the forged edit shows nowhere


# -- item 8: customer names --


def search_text(conversation) -> str:
    """What the list's search (/) looks through for this conversation."""
    widget = ConversationList(agent_name="ann", clock=lambda: datetime.now(timezone.utc))
    return widget._haystack(conversation)


def row_text(conversation) -> str:
    first, second = render_row(conversation, lambda _: Style(), selected=False, width=80,
                               now=datetime.now(timezone.utc), console=Console())
    return first.text


async def test_the_customers_app_context_name_in_list_header_and_search(
        harnesses, chat_customer, customers):
    customer = await chat_customer("cust-named")
    await customer.ask("send where is my parcel")
    await customer.ask("send hello?")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    conversation = ann.inbox.conversations[customer.channel]
    await wait_until(lambda: conversation.customer_name == "Dana Reyes")
    assert conversation.customer_email == "dana@example.invalid"
    assert "Dana Reyes" in row_text(conversation)
    header = ConversationHeader()
    header.view = conversation
    said = [part.text for part in header.parts()]
    assert "○ Dana Reyes" in said or "● Dana Reyes" in said, said
    assert "dana@example.invalid" in said
    assert "dana reyes" in search_text(conversation)
    assert ann.link.requests["GetUuid"] == 1

    await customer.ask("send one more")  # no request per message
    await asyncio.sleep(0.3)
    assert ann.link.requests["GetUuid"] == 1

    stranger = customers("cust-no-profile")  # no App Context user: the id it is
    await stranger.add_channel_to_channel_group().channels(["np"]).channel_group("support") \
        .future()
    await stranger.publish().channel("np").message({"type": "text", "text": "hi"}).future()
    await wait_until(lambda: ann.link.requests["GetUuid"] == 2)
    await asyncio.sleep(0.2)
    unnamed = ann.inbox.conversations["np"]
    assert unnamed.customer_name is None and unnamed.customer_label == "cust-no-profile"
    assert "cust-no-profile" in row_text(unnamed)


async def test_the_suppgram_default_reads_no_profiles(harnesses, customers):
    customer = customers("cust-plain")
    await customer.add_channel_to_channel_group().channels(["pl"]).channel_group("support") \
        .future()
    await customer.set_uuid_metadata().uuid("cust-plain").set_name("Pat").future()
    await customer.publish().channel("pl").message(
        {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"}
    ).future()
    ann = await harnesses("ann")
    ann.inbox.open("pl")
    await asyncio.sleep(0.3)
    assert ann.link.requests["GetUuid"] == 0
    assert ann.inbox.conversations["pl"].customer_label == "cust-plain"


# -- item 9: read receipts --


async def test_reading_sets_the_support_users_last_read_as_the_chat_sdk_does(
        harnesses, chat_customer, customers):
    customer = await chat_customer("cust-receipts")
    admin = customers("support")
    found = await admin.get_memberships().uuid("support").include(
        MembershipIncludes(custom=True, status=True)).future()
    [before] = found.result.data
    await admin.set_memberships().uuid("support").channel_memberships([PNChannelMembership(
        customer.channel, {**before["custom"], "role": "helpdesk"}, status=before["status"])]
    ).future()
    ann = await harnesses("ann", converter=ChatSdkConverter())
    last = await wrote(ann, customer, "are you there?")

    ann.inbox.open(customer.channel)
    answer = await eventually(lambda: customer.ask("receipts"), lambda a: any(
        r["userId"] == "support" and r["lastReadTimetoken"] == str(last)
        for r in a["receipts"]))
    assert answer["receipts"]
    events = await eventually(lambda: customer.ask("receiptEvents"),
                              lambda a: a["receiptEvents"])
    assert any(e["userId"] == "support" for e in events["receiptEvents"]), events
    found = await admin.get_memberships().uuid("support").include(
        MembershipIncludes(custom=True, status=True)).future()
    [after] = found.result.data
    assert after["custom"] == {"lastReadMessageTimetoken": str(last), "role": "helpdesk"}
    assert after["status"] == before["status"]

    newer = [await wrote(ann, customer, f"message {n}") for n in range(3)]
    for _ in newer:
        ann.inbox.mark_read(customer.channel)
    assert ann.link.requests["SetMemberships"] == 1  # throttled: one within a few seconds
    await eventually(lambda: customer.ask("receipts"), lambda a: any(
        r["userId"] == "support" and r["lastReadTimetoken"] == str(newer[-1])
        for r in a["receipts"]), timeout=8)
    assert ann.link.requests["SetMemberships"] == 2


async def test_the_suppgram_default_writes_no_receipts(harnesses, customers):
    customer = customers("cust-plain2")
    await customer.add_channel_to_channel_group().channels(["p2"]).channel_group("support") \
        .future()
    await customer.publish().channel("p2").message(
        {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"}
    ).future()
    ann = await harnesses("ann")
    ann.inbox.open("p2")
    await asyncio.sleep(0.3)
    assert ann.link.requests["SetMemberships"] == 0 and ann.link.requests["GetMemberships"] == 0


# -- item 11: custom events and reports are no customer messages --


async def test_custom_events_and_reports_are_set_aside(harnesses, chat_customer, customers):
    customer = await chat_customer("cust-events")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    await wrote(ann, customer, "hello")
    moderation = f"PUBNUB_INTERNAL_MODERATION_{customer.channel}"
    admin = customers("support-admin")
    await admin.add_channel_to_channel_group().channels([moderation]) \
        .channel_group("support").future()
    await customer.ask('custom {"kind":"cart","items":2}')
    first = ann.inbox.conversations[customer.channel].entries[0].timetoken
    await customer.ask(f"report {first} spam")
    await admin.publish().channel(customer.channel).message(  # a report's shape, here
        {"type": "report", "text": "hello", "reason": "spam"}).future()
    conversation = ann.inbox.conversations[customer.channel]
    await wait_until(lambda: len(conversation.set_aside_entries) == 2)
    assert [e.text for e in conversation.entries] == ["hello"]
    assert all(e.error is None for e in conversation.entries)
    assert conversation.unread == 1
    reasons = sorted(e.ignored or "" for e in conversation.set_aside_entries)
    assert reasons == ["a Chat SDK 'report' message, not a chat message",
                       "no Chat SDK text message (a custom event, emitCustomEvent)"]
    await asyncio.sleep(0.3)
    assert moderation not in ann.inbox.conversations  # the SDK's report opened nothing
    assert all(e.author is not Author.CUSTOMER or e.message for e in conversation.entries)
