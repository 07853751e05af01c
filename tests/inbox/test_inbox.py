"""The headless core against local_pubnub: two agents, customers, outages, bad input."""

from __future__ import annotations

import asyncio
import json

import pytest

from suppgram_tui.inbox import Author, ClaimLost, ConversationAction, Delivery, EntryAdded
from suppgram_tui.link.events import PresenceChanged
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.local_pubnub.events import Event
from suppgram_tui.model import ConversationState, MessageKind
from tests.helpers.inbox_harness import (
    InboxHarness,
    customer_payload,
    open_conversation,
)
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until


async def test_customer_message_arrives_and_reply_reaches_customer_in_suppgram_json(
        harnesses, customers):
    ann = await harnesses("ann")
    customer = customers("cust-1")
    inbox_seen = Recorder()
    customer.add_listener(inbox_seen)
    customer.subscribe().channels(["cust-1-support"]).execute()
    await open_conversation(customer, "cust-1-support", "my order is late")

    await wait_until(lambda: ann.texts("cust-1-support") == ["my order is late"])
    view = ann.inbox.conversations["cust-1-support"]
    assert view.entries[0].author is Author.CUSTOMER and view.unread == 1
    assert any(isinstance(e, EntryAdded) and e.new_conversation for e in ann.events)

    await ann.inbox.send_reply("cust-1-support", "sorry, checking")
    await wait_until(lambda: any(m.publisher == "support" for m in inbox_seen.messages))
    reply = next(m for m in inbox_seen.messages if m.publisher == "support")
    assert list(reply.message) == ["kind", "time", "text"]
    assert reply.message["kind"] == "from_agent" and reply.message["text"] == "sorry, checking"
    assert reply.user_metadata["agent"] == "ann"
    await wait_until(lambda: view.entries[-1].delivery is Delivery.SENT)
    assert [e.author for e in view.entries] == [Author.CUSTOMER, Author.ME]
    assert ann.store.outbox_pending() == []


async def test_publisher_decides_who_is_the_customer(harnesses, customers):
    ann = await harnesses("ann")
    sneaky = customers("cust-2")
    await sneaky.add_channel_to_channel_group().channels(["c2"]).channel_group("support").future()
    await sneaky.publish().channel("c2").message(customer_payload("i am an agent", "from_agent")) \
        .meta({"agent": "ann"}).future()
    await wait_until(lambda: ann.texts("c2"))
    entry = ann.inbox.conversations["c2"].entries[0]
    assert entry.author is Author.CUSTOMER
    assert entry.message.kind is MessageKind.FROM_AGENT


async def test_backfill_and_live_overlap_is_deduplicated(harnesses, customers):
    customer = customers("cust-3")
    for i in range(5):
        await open_conversation(customer, "c3", f"before {i}")
    ann = await harnesses("ann")
    assert ann.texts("c3") == [f"before {i}" for i in range(5)]
    await customer.publish().channel("c3").message(customer_payload("after")).future()
    await wait_until(lambda: len(ann.texts("c3")) == 6)
    await asyncio.sleep(0.3)
    assert ann.texts("c3")[-1] == "after" and len(ann.texts("c3")) == 6


async def test_two_agents_claim_at_once_exactly_one_wins(harnesses, customers):
    await open_conversation(customers("cust-4"), "c4", "help")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    for harness in (ann, bob):
        await wait_until(lambda h=harness: h.texts("c4"))
    outcomes = await asyncio.gather(ann.inbox.apply(ConversationAction.CLAIM, "c4"),
                                    bob.inbox.apply(ConversationAction.CLAIM, "c4"),
                                    return_exceptions=True)
    winners = [o for o in outcomes if o is None]
    losers = [o for o in outcomes if isinstance(o, ClaimLost)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    winner = "ann" if outcomes[0] is None else "bob"
    for harness in (ann, bob):
        await wait_until(lambda h=harness: h.inbox.conversations["c4"].assignee == winner)
        assert harness.inbox.conversations["c4"].state is ConversationState.ASSIGNED


async def test_resolve_tells_the_customer_and_a_new_message_reopens(harnesses, customers):
    customer = customers("cust-5")
    received = Recorder()
    customer.add_listener(received)
    customer.subscribe().channels(["c5"]).execute()
    await open_conversation(customer, "c5", "hello")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    await ann.inbox.apply(ConversationAction.CLAIM, "c5")
    await ann.inbox.apply(ConversationAction.SET_TAGS, "c5", ["vip", "billing"])
    await wait_until(lambda: bob.inbox.conversations["c5"].tags == ["billing", "vip"])
    await ann.inbox.apply(ConversationAction.RESOLVE, "c5")
    await wait_until(lambda: any(m.message.get("kind") == "resolved" for m in received.messages))
    await wait_until(lambda: bob.inbox.conversations["c5"].state is ConversationState.RESOLVED)
    await customer.publish().channel("c5").message(customer_payload("one more thing")).future()
    await wait_until(lambda: ann.inbox.conversations["c5"].state is ConversationState.NEW)
    await wait_until(lambda: bob.inbox.conversations["c5"].state is ConversationState.NEW)
    assert ann.inbox.conversations["c5"].assignee is None


async def test_hostile_payloads_are_kept_visible_and_the_inbox_keeps_working(
        harnesses, customers):
    ann = await harnesses("ann")
    customer = customers("cust-6")
    await customer.add_channel_to_channel_group().channels(["c6"]).channel_group("support") \
        .future()
    hostile = [
        "just a string", 42, [1, 2, 3], {"kind": "from_customer"},
        {"kind": "nonsense", "time": "2026-11-26T04:00:00.000000+0000", "text": "x"},
        {"kind": "from_customer", "time": "yesterday", "text": "bad time"},
        {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000", "text": "naive"},
        {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": 12},
        customer_payload("x" * 30_000), customer_payload("\x1b[2J\x00\u202e[bold]hi[/]"),
        {"a": {"b": {"c": {"d": {"e": {}}}}}},
    ]
    for payload in hostile:
        await customer.publish().channel("c6").message(payload).use_post(True).future()
    await customer.publish().channel("c6").message(customer_payload("still here")).future()
    await wait_until(lambda: len(ann.texts("c6")) == len(hostile) + 1)
    entries = ann.inbox.conversations["c6"].entries
    assert entries[-1].text == "still here"
    undecodable = [e for e in entries if e.undecodable]
    assert len(undecodable) == 9
    assert all(e.error and e.raw for e in undecodable)
    assert entries[9].text == "\x1b[2J\x00\u202e[bold]hi[/]"  # data, kept verbatim


async def test_converter_that_raises_does_not_stop_the_inbox(harnesses, customers):
    class Exploding:
        def convert_from_pubnub(self, message):
            if message.message.get("text") == "boom":
                raise RuntimeError("converter bug")
            return DefaultMessageConverter().convert_from_pubnub(message)

        def convert_to_pubnub(self, message):
            return DefaultMessageConverter().convert_to_pubnub(message)

    from suppgram_tui.converters import DefaultMessageConverter
    ann = await harnesses("ann", converter=Exploding())
    customer = customers("cust-7")
    await open_conversation(customer, "c7", "boom")
    await customer.publish().channel("c7").message(customer_payload("fine")).future()
    await wait_until(lambda: len(ann.texts("c7")) == 2)
    first, second = ann.inbox.conversations["c7"].entries
    assert first.undecodable and "converter bug" in first.error
    assert second.text == "fine"


async def test_objects_event_and_malformed_envelope_do_not_stop_receiving(
        harnesses, customers, local_server):
    """SDK 10.8 kills its own receive loop on both (reference §12.1); ours must not stop."""
    ann = await harnesses("ann")
    customer = customers("cust-8")
    await open_conversation(customer, "c8", "first")
    await wait_until(lambda: ann.texts("c8"))
    keyset = local_server.server.keyset(SUBSCRIBE_KEY)
    clock = local_server.server.clock
    keyset.append(Event(clock.next(), "c8", {"source": "objects", "version": "2.0",
                                             "event": "set", "type": "uuid",
                                             "data": {"id": "x"}}, event_type=2))
    keyset.append(Event(clock.next(), "c8-pnpres", {"action": "join", "occupancy": "many"}))
    keyset.append(Event(clock.next(), "c8", {"message": {}, "file": {}}, event_type=4))
    await customer.publish().channel("c8").message(customer_payload("second")).future()
    await wait_until(lambda: "second" in ann.texts("c8"))


async def test_outage_loses_nothing_and_a_reply_is_delivered_exactly_once(
        tmp_path, customers):
    data = str(tmp_path / "server.sqlite")
    server = await LocalPubNub(data_path=data, poll_timeout=2).start()
    port = server.port
    origin = server.origin
    ann = await InboxHarness(origin, tmp_path / "ann.json", "ann").start()
    customer = customers("cust-9", origin=origin)
    try:
        await open_conversation(customer, "c9", "before outage")
        await wait_until(lambda: ann.texts("c9") == ["before outage"])
        await server.stop()

        await ann.inbox.send_reply("c9", "sent during outage")
        await wait_until(lambda: ann.inbox.conversations["c9"].entries[-1].delivery_error)
        await ann.stop()  # the console is restarted before the server comes back

        server = await LocalPubNub(data_path=data, poll_timeout=2, port=port).start()
        for i in range(3):
            await customer.publish().channel("c9").message(customer_payload(f"m{i}")).future()
        ann = await InboxHarness(origin, tmp_path / "ann.json", "ann").start()
        await wait_until(lambda: ann.store.outbox_pending() == [], timeout=15)
        history = await customer.fetch_messages().channels(["c9"]).include_meta(True).future()
        texts = [item.message["text"] for item in history.result.channels["c9"]]
        assert texts.count("sent during outage") == 1
        await wait_until(lambda: ann.texts("c9").count("sent during outage") == 1)
        assert ann.texts("c9").count("m2") == 1
        await asyncio.sleep(0.5)
        assert sorted(ann.texts("c9")) == sorted(texts)
    finally:
        await ann.stop()
        await server.stop()


async def test_server_restart_mid_conversation_delivers_every_message_once(
        tmp_path, customers):
    data = str(tmp_path / "server.sqlite")
    server = await LocalPubNub(data_path=data, poll_timeout=2).start()
    port, origin = server.port, server.origin
    ann = await InboxHarness(origin, tmp_path / "ann.json", "ann").start()
    customer = customers("cust-10", origin=origin)
    try:
        await open_conversation(customer, "c10", "m0")
        for i in range(1, 20):
            await customer.publish().channel("c10").message(customer_payload(f"m{i}")).future()
        await server.stop()
        await asyncio.sleep(0.5)
        server = await LocalPubNub(data_path=data, poll_timeout=2, port=port).start()
        for i in range(20, 40):
            await customer.publish().channel("c10").message(customer_payload(f"m{i}")).future()
        await wait_until(lambda: len(ann.texts("c10")) >= 40, timeout=20)
        await asyncio.sleep(0.5)
        assert ann.texts("c10") == [f"m{i}" for i in range(40)]
    finally:
        await ann.stop()
        await server.stop()


async def test_startup_with_hundreds_of_channels_is_batched(local_server, harnesses,
                                                            customers):
    customer = customers("bulk")
    channels = [f"bulk-{i}" for i in range(600)]
    for offset in range(0, 600, 200):
        await customer.add_channel_to_channel_group().channels(channels[offset:offset + 200]) \
            .channel_group("support").future()
    await asyncio.gather(*(customer.publish().channel(ch).message(customer_payload(ch)).future()
                           for ch in channels[:300]))
    ann = await harnesses("ann")
    assert len(ann.inbox.conversations) == 600
    assert ann.texts("bulk-7") == ["bulk-7"]
    assert ann.link.requests["FetchMessages"] == 1 + 2  # the probe, then 500 channels a call
    assert ann.link.requests["MessageCount"] == 0  # no read markers yet
    # each request's answer is handed on before the next is asked: 10,000 conversations'
    # history is never held decoded all at once (bench/scale.py's loaded RSS)
    asked_before = ann.link.requests["FetchMessages"]
    handed_on = [(sorted(answer), ann.link.requests["FetchMessages"] - asked_before)
                 async for answer in ann.link.backfill(channels)]
    assert [asked for _, asked in handed_on] == [1, 2]
    assert set(handed_on[0][0]) == set(channels[:300]) and handed_on[1][0] == []
    for channel in channels[:250]:
        ann.inbox.mark_read(channel)
    await ann.stop()
    bob_store = ann.store.path
    again = InboxHarness(local_server.origin, bob_store, "ann")
    await again.start()
    try:
        assert again.link.requests["FetchMessages"] == 1 + 2
        assert again.link.requests["MessageCount"] <= 3
        assert again.inbox.conversations["bulk-7"].unread == 0
        assert again.inbox.conversations["bulk-280"].unread == 1
    finally:
        await again.stop()


def test_raw_json_of_undecodable_is_valid_json():
    from suppgram_tui.inbox.conversation import raw_json
    assert json.loads(raw_json({"a": [1, None]})) == {"a": [1, None]}


async def test_presence_typing_and_viewing_reach_other_consoles(harnesses, customers):
    customer = customers("cust-11")
    await open_conversation(customer, "c11", "hi")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    customer.subscribe().channels(["c11"]).execute()
    await wait_until(lambda: ann.inbox.conversations["c11"].customer_online)
    await asyncio.sleep(0.5)  # a signal right after "hi" would be its tail (test_awareness)
    await customer.signal().channel("c11").message({"typing": True}).future()
    await wait_until(lambda: ann.inbox.conversations["c11"].customer_typing)
    assert bob.inbox.open("c11") == ""  # no draft yet
    await wait_until(lambda: ann.inbox.conversations["c11"].viewers == {"bob"})
    assert bob.inbox.conversations["c11"].viewers == set()  # never sees itself
    await bob.stop()  # a console that quits stops showing as viewing
    await wait_until(lambda: ann.inbox.conversations["c11"].viewers == set())


async def test_a_console_started_later_agrees_with_shared_state(harnesses, customers):
    """History replays resolve/postpone messages; App Context must win over them."""
    customer = customers("cust-12")
    await open_conversation(customer, "c12", "first")
    await open_conversation(customer, "c13", "second")
    ann = await harnesses("ann")
    await ann.inbox.apply(ConversationAction.RESOLVE, "c12")
    await customer.publish().channel("c12").message(customer_payload("me again")).future()
    await wait_until(lambda: ann.inbox.conversations["c12"].state is ConversationState.NEW)
    await ann.inbox.apply(ConversationAction.POSTPONE, "c13")
    await ann.inbox.apply(ConversationAction.CLAIM, "c13")
    await wait_until(lambda: ann.store.outbox_pending() == [])
    bob = await harnesses("bob")
    assert bob.inbox.conversations["c12"].state is ConversationState.NEW
    assert bob.inbox.conversations["c13"].state is ConversationState.ASSIGNED
    assert bob.inbox.conversations["c13"].assignee == "ann"


async def test_a_customer_who_wrote_after_resolve_while_no_console_ran_is_reopened(
        harnesses, customers, tmp_path):
    customer = customers("cust-14")
    await open_conversation(customer, "c14", "hello")
    ann = await harnesses("ann")
    await ann.inbox.apply(ConversationAction.RESOLVE, "c14")
    await wait_until(lambda: ann.store.outbox_pending() == [])
    await ann.stop()
    await customer.publish().channel("c14").message(customer_payload("are you there?")).future()
    bob = await harnesses("bob")
    await wait_until(lambda: bob.inbox.conversations["c14"].state is ConversationState.NEW)


@pytest.mark.parametrize("missing", ["history", "app_context", "presence"])
async def test_a_keyset_without_a_feature_degrades_with_a_sentence(tmp_path, customers,
                                                                    missing):
    from suppgram_tui.inbox import Notice

    async with LocalPubNub(poll_timeout=2, disabled_features=frozenset({missing})) as server:
        customer = customers("cust-15", origin=server.origin)
        await open_conversation(customer, "c15", "hello")
        ann = await InboxHarness(server.origin, tmp_path / "ann.json", "ann").start()
        try:
            notes = [e.text for e in ann.events if isinstance(e, Notice)]
            word = {"history": "Message Persistence", "app_context": "App Context",
                    "presence": "Presence"}[missing]
            assert any(word in note and "not available" in note for note in notes), notes
            await customer.publish().channel("c15").message(customer_payload("live")).future()
            await wait_until(lambda: "live" in ann.texts("c15"))
            # a claim stays in this console when App Context is missing
            await ann.inbox.apply(ConversationAction.CLAIM, "c15")
            assert ann.inbox.conversations["c15"].assignee == "ann"
            await ann.inbox.send_reply("c15", "answered")
            await wait_until(lambda: ann.store.outbox_pending() == [])
        finally:
            await ann.stop()


async def test_a_customer_online_before_writing_shows_online(harnesses, customers):
    ann = await harnesses("ann")
    customer = customers("cust-16")
    await customer.add_channel_to_channel_group().channels(["c16"]).channel_group("support") \
        .future()
    customer.subscribe().channels(["c16"]).execute()
    await wait_until(lambda: any(isinstance(e, PresenceChanged) and e.channel == "c16"
                                 for e in ann.link_events))
    await customer.publish().channel("c16").message(customer_payload("hi")).future()
    await wait_until(lambda: ann.texts("c16") == ["hi"])
    assert ann.inbox.conversations["c16"].customer_online
