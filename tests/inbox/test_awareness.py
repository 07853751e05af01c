"""What the console shows about a conversation beside its messages: typing, viewing,
ratings, tags kept across a reopen, and channel groups that went empty (issue 12)."""

from __future__ import annotations

import asyncio

from suppgram_tui.inbox import ConversationAction, awareness
from suppgram_tui.link import group_watch
from suppgram_tui.link.events import ChannelStateChanged
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.model import ConversationState
from tests.helpers.inbox_harness import InboxHarness, customer_payload, open_conversation
from tests.helpers.wait import wait_until


async def test_a_reopened_conversation_keeps_its_tags(harnesses, customers):
    """Item 12: reopening used to drop the tags in every console and in App Context."""
    customer = customers("cust-r1")
    await open_conversation(customer, "r1", "hello")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    await ann.inbox.apply(ConversationAction.SET_TAGS, "r1", ["vip", "billing"])
    await ann.inbox.apply(ConversationAction.RESOLVE, "r1")
    await wait_until(lambda: bob.inbox.conversations["r1"].state is ConversationState.RESOLVED)
    await customer.publish().channel("r1").message(customer_payload("one more thing")).future()
    for harness in (ann, bob):
        await wait_until(lambda h=harness: h.inbox.conversations["r1"].state
                         is ConversationState.NEW)
        assert harness.inbox.conversations["r1"].tags == ["billing", "vip"]
    for _ in range(100):  # the reopen is written to App Context in the background
        custom, _ = await ann.link.conversation_state("r1")
        if custom["state"] == "new":
            break
        await asyncio.sleep(0.05)
    assert custom["state"] == "new" and custom["tags"] == "billing,vip"


async def test_a_rating_is_shown_as_stars_and_nobody_waits_for_it(harnesses, customers):
    """Item 13: a rating read like customer text and restarted the waiting clock."""
    customer = customers("cust-r2")
    await open_conversation(customer, "r2", "where is my order?")
    ann = await harnesses("ann")
    await ann.inbox.send_reply("r2", "on its way")
    await wait_until(lambda: ann.store.outbox_pending() == [])
    assert ann.inbox.conversations["r2"].waiting_since is None
    unread = ann.inbox.conversations["r2"].unread
    await customer.publish().channel("r2").message(
        customer_payload("4 helpful but a bit slow", kind="rated")).future()
    await wait_until(lambda: len(ann.texts("r2")) == 3)
    conversation = ann.inbox.conversations["r2"]
    assert ann.texts("r2")[-1] == "★★★★☆ rated 4/5: helpful but a bit slow"
    assert conversation.waiting_since is None
    assert conversation.unread == unread


async def test_a_typing_signal_that_trails_its_message_does_not_show_typing(
        harnesses, customers):
    """Item 18: a typing signal sent with the last keystrokes landed after the message and
    kept "typing…" up for seconds."""
    customer = customers("cust-r3")
    await open_conversation(customer, "r3", "hi")
    ann = await harnesses("ann")
    await customer.publish().channel("r3").message(customer_payload("my order")).future()
    await customer.signal().channel("r3").message({"typing": True}).future()
    await customer.publish().channel("r3").message(customer_payload("is late")).future()
    await wait_until(lambda: "is late" in ann.texts("r3"))
    await customer.signal().channel("r3").message({"typing": True}).future()
    await asyncio.sleep(0.3)  # the trailing signal has arrived by now
    assert not ann.inbox.conversations["r3"].customer_typing
    await asyncio.sleep(0.5)  # a new message begun later shows as typing
    await customer.signal().channel("r3").message({"typing": True}).future()
    await wait_until(lambda: ann.inbox.conversations["r3"].customer_typing)


async def test_a_console_that_died_stops_showing_as_viewing(harnesses, customers,
                                                             monkeypatch):
    """Item 18: "bob is viewing" stayed 85 s after bob's console was killed. A console
    that stops repeating its viewing fades after `VIEWING_EXPIRES` (here shortened)."""
    monkeypatch.setattr(awareness, "VIEWING_REPEAT", 0.3)
    monkeypatch.setattr(awareness, "VIEWING_EXPIRES", 1.0)
    customer = customers("cust-r4")
    await open_conversation(customer, "r4", "hi")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    bob.inbox.open("r4")
    await wait_until(lambda: ann.inbox.conversations["r4"].viewers == {"bob"})
    await asyncio.sleep(1.5)  # bob keeps repeating: still shown
    assert ann.inbox.conversations["r4"].viewers == {"bob"}
    await bob.link.stop()  # killed: no "left" signal, no more repeats
    await wait_until(lambda: ann.inbox.conversations["r4"].viewers == set(), timeout=5)


async def test_an_empty_or_emptied_channel_group_is_said_on_the_status_line(
        tmp_path, customers, monkeypatch):
    """Item 19: after an in-memory server restart the group is gone; consoles said
    "connected" and no customer message arrived, with nothing to say why."""
    monkeypatch.setattr(group_watch, "CHECK_EVERY", 0.5)
    server = await LocalPubNub(poll_timeout=2).start()
    port = server.port
    ann = await InboxHarness(server.origin, tmp_path / "ann.json", "ann").start()
    try:
        await wait_until(lambda: any("group support has no channels" in n
                                     for n in ann.inbox.status().notes))
        customer = customers("cust-r5", origin=server.origin)
        await open_conversation(customer, "r5", "hello")
        await wait_until(lambda: "hello" in ann.texts("r5"))
        await wait_until(lambda: not any("group support" in n for n in ann.inbox.status().notes))
        await server.stop()  # in memory: the restarted server knows no group
        server = await LocalPubNub(poll_timeout=2, port=port).start()
        await wait_until(lambda: any("support lost its channels" in n
                                     for n in ann.inbox.status().notes), timeout=20)
        assert ann.inbox.status().channels_per_group == {"support": 0}
    finally:
        await ann.stop()
        await server.stop()


async def test_a_resolve_landing_after_the_reopen_it_led_to_does_not_undo_it(
        harnesses, customers):
    """App Context events come on the subscribe loop, reads and writes on their own
    requests: the resolve's event can reach a console after the customer's next message
    reopened the conversation there. That version is old news and is ignored (it put the
    conversation back to resolved and bob's: a reply then asked first, forever)."""
    customer = customers("cust-r3")
    await open_conversation(customer, "r3", "hello")
    ann, bob = await harnesses("ann"), await harnesses("bob")
    await bob.inbox.apply(ConversationAction.CLAIM, "r3")
    await bob.inbox.apply(ConversationAction.RESOLVE, "r3")
    conversation = ann.inbox.conversations["r3"]
    await wait_until(lambda: conversation.state is ConversationState.RESOLVED)
    resolved = (conversation.shared_state(), conversation.etag)
    assert resolved[0]["assignee"] == "bob" and resolved[1]
    await customer.publish().channel("r3").message(customer_payload("one more")).future()
    await wait_until(lambda: conversation.state is ConversationState.NEW
                     and conversation.etag not in (None, resolved[1]))
    late = ChannelStateChanged("r3", resolved[0], resolved[1])
    ann.links[-1]._emit(late)  # as the link hands on what the subscribe loop read
    await asyncio.sleep(0.1)
    assert conversation.state is ConversationState.NEW and conversation.assignee is None
