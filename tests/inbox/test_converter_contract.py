"""The converter contract in a running inbox (issue 13 items 4 and 5): messages that are no
chat messages are set aside, and custom message types and meta go both ways, as the
customer's SDK sees them."""

from __future__ import annotations

from typing import Any

from suppgram_tui.converters import (
    ChatSdkConverter,
    DefaultMessageConverter,
    IgnoredMessage,
    OutgoingMessage,
    WireMessage,
)
from suppgram_tui.inbox import Author, ConversationAction
from suppgram_tui.model import ConversationState, Message, MessageKind
from suppgram_tui.timetokens import to_datetime
from tests.helpers.inbox_harness import customer_payload, open_conversation
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until


class IgnoresReceipts(DefaultMessageConverter):
    """Suppgram's format, with the app's read receipts beside it."""

    def convert_from_pubnub(self, message: WireMessage) -> Message:
        if isinstance(message.message, dict) and "receipt" in message.message:
            raise IgnoredMessage(f"a read receipt for {message.message['receipt']}")
        return super().convert_from_pubnub(message)


class WithMeta(DefaultMessageConverter):
    """Suppgram's format, published with meta and a custom message type of its own."""

    def convert_to_pubnub(self, message: Message) -> Any:
        return OutgoingMessage(super().convert_to_pubnub(message),
                               meta={"app": "helpdesk", "agent": "spoofed"},
                               custom_message_type=f"support-{message.kind.value}")


def handled(harness, publisher: str, count: int = 1):
    """Messages from `publisher` the inbox has finished handling."""
    return lambda: sum(1 for event in harness.link_events
                       if isinstance(event, WireMessage) and event.publisher == publisher
                       ) >= count


async def test_a_bot_neither_opens_reopens_renames_nor_is_unread(harnesses, customers):
    customer, bot = customers("cust-a"), customers("order-bot")
    await open_conversation(customer, "ca", "where is my parcel?")
    ann = await harnesses("ann", ignored_publishers=["order-bot"])
    conversation = ann.inbox.conversations["ca"]
    await ann.inbox.apply(ConversationAction.RESOLVE, "ca")
    await wait_until(lambda: conversation.state is ConversationState.RESOLVED)
    unread = conversation.unread

    await bot.publish().channel("ca").message(customer_payload("Order 17 shipped")).future()
    await bot.signal().channel("ca").message({"typing": True}).future()
    await bot.add_channel_to_channel_group().channels(["bot-only"]).channel_group("support") \
        .future()
    await bot.publish().channel("bot-only").message(customer_payload("status: ok")).future()
    await wait_until(handled(ann, "order-bot", 2))

    assert conversation.state is ConversationState.RESOLVED
    assert conversation.customer_id == "cust-a" and conversation.unread == unread
    assert not conversation.customer_typing
    assert "Order 17 shipped" not in ann.texts("ca")
    assert "bot-only" not in ann.inbox.conversations
    [aside] = conversation.set_aside_entries
    assert aside.ignored == "order-bot is not a customer (--pubnub-ignore-publisher)"
    assert aside.payload["text"] == "Order 17 shipped"


async def test_the_same_bot_is_a_customer_without_the_option(harnesses, customers):
    await open_conversation(customers("cust-b"), "cb", "hello")
    ann = await harnesses("ann")
    await ann.inbox.apply(ConversationAction.RESOLVE, "cb")
    await customers("order-bot").publish().channel("cb").message(
        customer_payload("Order 18 shipped")).future()
    conversation = ann.inbox.conversations["cb"]
    await wait_until(lambda: conversation.state is ConversationState.NEW)
    assert conversation.customer_id == "order-bot"  # what issue 13 saw: reopened, renamed


async def test_a_receipt_the_converter_ignores_is_never_unread(harnesses, customers):
    customer = customers("cust-c")
    await open_conversation(customer, "cc", "hi")
    await customer.publish().channel("cc").message({"receipt": "m-1"}).future()  # history
    ann = await harnesses("ann", converter=IgnoresReceipts())
    conversation = ann.inbox.conversations["cc"]
    assert ann.texts("cc") == ["hi"] and conversation.unread == 1
    assert [e.ignored for e in conversation.set_aside_entries] == ["a read receipt for m-1"]
    ann.inbox.mark_read("cc")
    await ann.inbox.apply(ConversationAction.RESOLVE, "cc")

    await customer.publish().channel("cc").message({"receipt": "m-2"}).future()  # live
    await wait_until(lambda: len(conversation.set_aside_entries) == 2)
    assert conversation.unread == 0 and conversation.state is ConversationState.RESOLVED
    assert all(entry.author is not Author.CUSTOMER or entry.message is not None
               for entry in conversation.entries)


async def test_chat_sdk_customer_round_trip_with_custom_message_types(harnesses, customers):
    customer = customers("cust-d")
    received = Recorder()
    customer.add_listener(received)
    customer.subscribe().channels(["cd"]).execute()
    await customer.add_channel_to_channel_group().channels(["cd"]).channel_group("support") \
        .future()
    sent = await customer.publish().channel("cd").message(
        {"type": "text", "text": "hello from the app", "files": []}).future()
    ann = await harnesses("ann", converter=ChatSdkConverter())
    [entry] = ann.inbox.conversations["cd"].entries
    assert entry.author is Author.CUSTOMER
    assert entry.message.kind is MessageKind.FROM_CUSTOMER
    assert entry.message.time_utc == to_datetime(sent.result.timetoken)

    await ann.inbox.send_reply("cd", "Hi! How can I help?")
    await ann.inbox.apply(ConversationAction.RESOLVE, "cd")
    await wait_until(lambda: len([m for m in received.messages if m.publisher == "support"]) == 2)
    reply, resolved = [m for m in received.messages if m.publisher == "support"]
    assert reply.message == {"type": "text", "text": "Hi! How can I help?"}
    assert reply.custom_message_type is None
    assert resolved.message == {"type": "text", "text": "This conversation has been resolved."}
    assert resolved.custom_message_type == "suppgram-resolved"

    bob = await harnesses("bob", converter=ChatSdkConverter())  # reads it all from history
    kinds = [(e.author, e.message.kind) for e in bob.inbox.conversations["cd"].entries]
    assert kinds == [(Author.CUSTOMER, MessageKind.FROM_CUSTOMER),
                     (Author.AGENT, MessageKind.FROM_AGENT),
                     (Author.SYSTEM, MessageKind.RESOLVED)]
    assert bob.inbox.conversations["cd"].entries[-1].custom_message_type == "suppgram-resolved"


async def test_a_converters_meta_and_type_reach_the_customer_beside_the_consoles(
        harnesses, customers):
    customer = customers("cust-e")
    received = Recorder()
    customer.add_listener(received)
    customer.subscribe().channels(["ce"]).execute()
    await open_conversation(customer, "ce", "hello")
    ann = await harnesses("ann", converter=WithMeta())
    reply = await ann.inbox.send_reply("ce", "on it")
    await wait_until(lambda: any(m.publisher == "support" for m in received.messages))
    [got] = [m for m in received.messages if m.publisher == "support"]
    assert got.custom_message_type == "support-from_agent"
    assert got.user_metadata == {"app": "helpdesk", "agent": "ann",
                                 "client_id": reply.client_id}
    await wait_until(lambda: ann.inbox.conversations["ce"].entries[-1].timetoken is not None)
    assert ann.texts("ce") == ["hello", "on it"]  # the echo was matched: shown once
