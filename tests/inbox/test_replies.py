"""Replies and the claims that come with them (issue 12, items 7, 8 and 9).

Two real inboxes against local_pubnub; what the customer's SDK received is what counts.
"""

from __future__ import annotations

import asyncio

import pytest

from suppgram_tui.inbox import ClaimLost, ConversationAction, Delivery, ReplyRefused
from suppgram_tui.link.limits import PUBLISH_LIMIT, publish_size
from suppgram_tui.model import ConnectionState
from suppgram_tui.store import AgentStore, OutboxEntry, OutboxState
from tests.helpers.inbox_harness import InboxHarness, customer_client, open_conversation
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.wait import wait_until

ROUNDS = 12


@pytest.fixture
async def customer(local_server):
    client = customer_client(local_server.origin, "rita")
    yield client
    await client.stop()


async def agent_replies(customer, channel: str) -> list[tuple[str, str]]:
    """(agent, text) of every agent reply the customer can read in the channel's history."""
    result = await customer.fetch_messages().channels([channel]).include_meta(True).future()
    return [(item.meta["agent"], item.message["text"])
            for item in result.result.channels.get(channel, [])
            if item.message.get("kind") == "from_agent"]


async def one_race(ann: InboxHarness, bob: InboxHarness, customer, round_number: int
                   ) -> None:
    """Both press Enter at once in a fresh conversation; the order alternates."""
    channel = f"race-{round_number}"
    await open_conversation(customer, channel, "anyone?")
    await wait_until(lambda: ann.texts(channel) and bob.texts(channel))
    first, second = (ann, bob) if round_number % 2 else (bob, ann)
    outcomes = await asyncio.gather(
        first.inbox.send_reply(channel, f"{first.inbox.agent_name} here"),
        second.inbox.send_reply(channel, f"{second.inbox.agent_name} here"),
        return_exceptions=True)
    lost = [o for o in outcomes if isinstance(o, ClaimLost)]
    assert len(lost) == 1, f"round {round_number}: {outcomes}"
    winner = first if not isinstance(outcomes[0], ClaimLost) else second
    loser = second if winner is first else first
    # the loser's reply was never queued, and the sentence names who has it
    assert winner.inbox.agent_name in str(lost[0])
    assert loser.store.outbox_pending() == []
    assert f"{loser.inbox.agent_name} here" not in loser.texts(channel)
    await wait_until(lambda: winner.store.outbox_pending() == [])
    await asyncio.sleep(0.1)  # a second reply would be in history by now
    assert await agent_replies(customer, channel) == [
        (winner.inbox.agent_name, f"{winner.inbox.agent_name} here")]
    await wait_until(lambda: loser.inbox.conversations[channel].assignee
                     == winner.inbox.agent_name)


async def test_two_agents_replying_at_once_reach_the_customer_once(
        local_server, tmp_path, customer):
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    try:
        for round_number in range(ROUNDS):
            await one_race(ann, bob, customer, round_number)
    finally:
        await ann.stop()
        await bob.stop()


@pytest.fixture
async def offline_ann(local_server, tmp_path):
    """Ann reaches the server through a proxy that the test takes away and brings back."""
    proxy = await TcpProxy("127.0.0.1", local_server.port).start()
    ann = await InboxHarness(proxy.origin, tmp_path / "ann.json", "ann").start()
    yield ann, proxy
    await ann.stop()
    await proxy.stop()


async def go_offline(ann: InboxHarness, proxy: TcpProxy) -> None:
    proxy.go_offline()
    await wait_until(lambda: ann.inbox.connection is not ConnectionState.CONNECTED)


async def test_a_reply_written_offline_claims_the_conversation_before_it_goes_out(
        local_server, tmp_path, customer, offline_ann):
    ann, proxy = offline_ann
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    channel = "offline-1"
    try:
        await open_conversation(customer, channel, "hello?")
        await wait_until(lambda: ann.texts(channel) and bob.texts(channel))
        await go_offline(ann, proxy)

        entry = await ann.inbox.send_reply(channel, "written offline")
        assert ann.store.outbox_entry(entry.client_id or "").claim is True

        proxy.offline = False
        await wait_until(lambda: ann.store.outbox_pending() == [], timeout=30)
        custom, _ = await bob.link.conversation_state(channel)
        assert (custom.get("state"), custom.get("assignee")) == ("assigned", "ann")
        assert await agent_replies(customer, channel) == [("ann", "written offline")]
        await wait_until(lambda: bob.inbox.conversations[channel].assignee == "ann")
    finally:
        await bob.stop()


async def test_a_reply_written_offline_is_not_sent_if_another_agent_took_it_meanwhile(
        local_server, tmp_path, customer, offline_ann):
    ann, proxy = offline_ann
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    channel = "offline-2"
    try:
        await open_conversation(customer, channel, "hello?")
        await wait_until(lambda: ann.texts(channel) and bob.texts(channel))
        await go_offline(ann, proxy)
        entry = await ann.inbox.send_reply(channel, "too late")
        await bob.inbox.apply(ConversationAction.CLAIM, channel)

        proxy.offline = False
        await wait_until(lambda: entry.delivery is Delivery.FAILED, timeout=30)
        assert "bob" in (entry.delivery_error or "")
        [kept] = ann.store.outbox_pending()
        assert (kept.state, kept.claim) == (OutboxState.FAILED, False)
        await asyncio.sleep(0.2)
        assert await agent_replies(customer, channel) == []
        assert ann.inbox.conversations[channel].assignee == "bob"
    finally:
        await bob.stop()


async def test_an_oversized_reply_is_refused_with_its_size_and_nothing_is_sent(
        local_server, tmp_path, customer):
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    channel = "big-1"
    try:
        await open_conversation(customer, channel, "send me the log")
        await wait_until(lambda: ann.texts(channel))
        paste = "0123456789 log line\n" * 2150  # a 43 KB paste
        assert ann.inbox.reply_size(channel, paste).too_large
        with pytest.raises(ReplyRefused, match=r"This reply \(42\.\d KB of text\) is 5\d\.\d KB "
                           r"once encoded for PubNub, which takes at most 32 KB"):
            await ann.inbox.send_reply(channel, paste)
        assert ann.store.outbox_pending() == []
        assert ann.inbox.conversations[channel].assignee is None  # not claimed either
        await asyncio.sleep(0.2)
        assert await agent_replies(customer, channel) == []
    finally:
        await ann.stop()


@pytest.mark.parametrize("over", [0, 1])
async def test_the_size_is_counted_as_pubnub_counts_it(local_server, tmp_path, customer,
                                                       over):
    """A reply exactly at the limit goes out; one byte over is refused before sending
    (and the server agrees: published anyway, it would be a 413)."""
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    channel = "edge-1"
    try:
        await open_conversation(customer, channel, "hi")
        await wait_until(lambda: ann.texts(channel))
        text = "é" * 100
        text += "x" * (PUBLISH_LIMIT - ann.inbox.reply_size(channel, text).size + over)
        size = ann.inbox.reply_size(channel, text)
        assert size.size == PUBLISH_LIMIT + over
        payload = {"kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000",
                   "text": text}
        meta = {"agent": "ann", "client_id": "0" * 32}
        assert publish_size(channel, payload, meta) == PUBLISH_LIMIT + over
        answer = await customer.publish().channel(channel).message(payload).meta(meta) \
            .use_post(True).future()
        assert answer.status.is_error() == bool(over)
        if over:
            assert answer.status.status_code == 413
            with pytest.raises(ReplyRefused):
                await ann.inbox.send_reply(channel, text)
        else:
            await ann.inbox.send_reply(channel, text)
            await wait_until(lambda: ann.store.outbox_pending() == [])
    finally:
        await ann.stop()


async def test_a_publish_pubnub_refuses_fails_at_once_with_why_and_f5_tries_again(
        local_server, tmp_path, customer):
    """A 413 (an oversized reply queued by an older version) is not retried: failed
    after one attempt, with the reason; F5 makes one more attempt."""
    channel = "refused-1"
    await open_conversation(customer, channel, "hi")
    payload = {"kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000",
               "text": "x" * 40_000}
    with AgentStore(tmp_path / "ann.json") as store:
        store.outbox_add(OutboxEntry("big", channel, payload,
                                     {"agent": "ann", "client_id": "big"}))
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    try:
        await wait_until(lambda: ann.store.outbox_entry("big").state is OutboxState.FAILED)
        failed = ann.store.outbox_entry("big")
        assert failed.attempts == 1
        assert "too large" in (failed.last_error or "") and "413" in failed.last_error
        [entry] = [e for e in ann.inbox.conversations[channel].entries if e.client_id]
        assert entry.delivery is Delivery.FAILED
        assert ann.inbox.undelivered() == {channel: 1}

        assert ann.inbox.retry_failed(channel) == 1
        await wait_until(lambda: ann.store.outbox_entry("big").attempts == 2)
        await wait_until(lambda: entry.delivery is Delivery.FAILED)
        assert ann.store.outbox_entry("big").state is OutboxState.FAILED
        assert await agent_replies(customer, channel) == []
    finally:
        await ann.stop()
