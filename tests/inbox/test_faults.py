"""Faults a console must survive without losing or repeating anything (issue 7, item 2).

Real things only: a `suppgram-tui serve` child process killed with SIGKILL and started
again on the same port and data file, TCP connections reset under a parked long-poll,
the real SDK on both sides, real TinyDB files and the real app under Pilot.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from pubnub.enums import PNReconnectionPolicy
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.inbox import ConnectionStatus
from suppgram_tui.model import ConnectionState
from suppgram_tui.store import AgentStore
from suppgram_tui.ui.widgets.status_line import StatusLine
from tests.helpers.console_harness import console_app, list_text, transcript_text
from tests.helpers.inbox_harness import (
    GROUP,
    InboxHarness,
    customer_client,
    customer_payload,
    open_conversation,
)
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.server_process import ServerProcess, free_port
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.wait import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.slow]

BURST_CUSTOMERS = 4
BURST_PER_CUSTOMER = 30
KILL_AFTER_ACKS = 45


@pytest.fixture
async def customers():
    """Customer SDK clients, each built against whichever origin the test names."""
    made: list[PubNubAsyncio] = []

    def build(origin: str, uuid: str) -> PubNubAsyncio:
        client = customer_client(origin, uuid)
        made.append(client)
        return client

    yield build
    for client in made:
        await client.stop()


@pytest.fixture
async def server_process(tmp_path: Path):
    server = ServerProcess(tmp_path / "server.sqlite", free_port())
    yield server
    await server.kill()


async def history(client: PubNubAsyncio, channel: str) -> list[tuple[int, str]]:
    """(timetoken, text) of every stored message of `channel`, oldest first."""
    envelope = await client.fetch_messages().channels([channel]).maximum_per_channel(100) \
        .future()
    assert not envelope.status.is_error(), envelope.status.error_data
    return [(int(item.timetoken), item.message["text"])
            for item in envelope.result.channels.get(channel, [])]


def shown(harness: InboxHarness, channel: str) -> list[tuple[int | None, str]]:
    view = harness.inbox.conversations.get(channel)
    return [(entry.timetoken, entry.text) for entry in view.entries] if view else []


async def publish_exactly_once(client: PubNubAsyncio, channel: str, text: str) -> int:
    """Publish as a careful customer app does: when the outcome is unknown (the server
    died mid-request), look in history before sending again, so nothing is stored twice."""
    while True:
        envelope = await client.publish().channel(channel).message(customer_payload(text)) \
            .future()
        if not envelope.status.is_error():
            return int(envelope.result.timetoken)
        while True:  # unknown outcome: wait for history to answer
            await asyncio.sleep(0.05)
            found = await client.fetch_messages().channels([channel]) \
                .maximum_per_channel(100).future()
            if not found.status.is_error():
                break
        for item in found.result.channels.get(channel, []):
            if item.message.get("text") == text:
                return int(item.timetoken)


async def test_server_killed_mid_burst_and_restarted_shows_every_message_once(
        tmp_path, server_process, customers):
    server = await server_process.start()
    channels = [f"burst-{c}" for c in range(BURST_CUSTOMERS)]
    clients = [customers(server.origin, channel) for channel in channels]
    await clients[0].add_channel_to_channel_group().channels(channels).channel_group(GROUP) \
        .future()
    ann = await InboxHarness(server.origin, tmp_path / "ann.json", "ann").start()
    acked: list[str] = []
    acked_before_kill: list[str] = []

    async def burst(client: PubNubAsyncio, channel: str) -> None:
        for i in range(BURST_PER_CUSTOMER):
            text = f"{channel}/{i}"
            await publish_exactly_once(client, channel, text)
            acked.append(text)
            if len(acked) == KILL_AFTER_ACKS:  # SIGKILL right behind this acknowledgement
                server.kill_now()
                acked_before_kill.extend(acked)

    async def restart_after_kill() -> None:
        await wait_until(lambda: acked_before_kill, timeout=15)
        await server.kill()  # reap it; the port is free again
        await asyncio.sleep(0.3)
        await server.start()

    try:
        bursts = [burst(client, ch) for client, ch in zip(clients, channels, strict=True)]
        await asyncio.wait_for(asyncio.gather(restart_after_kill(), *bursts), 30)
        assert server.starts == 2 and len(acked) == BURST_CUSTOMERS * BURST_PER_CUSTOMER
        assert acked_before_kill[-1] == acked[KILL_AFTER_ACKS - 1]

        expected = {ch: sorted(f"{ch}/{i}" for i in range(BURST_PER_CUSTOMER))
                    for ch in channels}
        await wait_until(lambda: all(sorted(ann.texts(ch)) == expected[ch] for ch in channels),
                         timeout=20)
        await asyncio.sleep(0.5)  # a late duplicate would have arrived by now
        for channel, client in zip(channels, clients, strict=True):
            stored = await history(client, channel)
            assert sorted(text for _, text in stored) == expected[channel]  # once each
            assert shown(ann, channel) == stored  # same messages, timetokens and order
        every_shown = [text for ch in channels for text in ann.texts(ch)]
        assert all(every_shown.count(text) == 1 for text in acked_before_kill)
        states = [e.state for e in ann.events if isinstance(e, ConnectionStatus)]
        assert ConnectionState.RECONNECTING in states and states[-1] is ConnectionState.CONNECTED
    finally:
        await ann.stop()


async def test_connections_cut_mid_poll_lose_and_repeat_nothing(local_server, tmp_path,
                                                                customers):
    proxy = await TcpProxy("127.0.0.1", local_server.port).start()
    ann = await InboxHarness(proxy.origin, tmp_path / "ann.json", "ann").start()
    customer = customers(local_server.origin, "cut-1")
    keyset = local_server.server.keyset(SUBSCRIBE_KEY)
    try:
        await open_conversation(customer, "cut-1", "m0")
        await wait_until(lambda: ann.texts("cut-1") == ["m0"])

        # 1. the connection under a parked poll is reset; messages come while it is down
        await wait_until(lambda: keyset.parked_count == 1)
        polls_before = ann.link.receiver.polls
        assert proxy.cut() >= 1
        for i in range(1, 11):
            await customer.publish().channel("cut-1").message(customer_payload(f"m{i}")) \
                .future()
        await wait_until(lambda: ann.texts("cut-1") == [f"m{i}" for i in range(11)])
        assert ann.link.receiver.polls > polls_before

        # 2. the server answers a poll with messages, and the answer dies with its connection
        await wait_until(lambda: keyset.parked_count == 1)
        proxy.lose_next_poll_response()
        for i in range(11, 21):
            await customer.publish().channel("cut-1").message(customer_payload(f"m{i}")) \
                .future()
        await wait_until(lambda: proxy.lost_responses == 1)
        await wait_until(lambda: ann.texts("cut-1") == [f"m{i}" for i in range(21)])

        await asyncio.sleep(0.5)  # a repeated delivery would have arrived by now
        assert shown(ann, "cut-1") == await history(customer, "cut-1")
        states = [e.state for e in ann.events if isinstance(e, ConnectionStatus)]
        assert states.count(ConnectionState.RECONNECTING) >= 2
        assert ann.inbox.connection is ConnectionState.CONNECTED
        assert ann.inbox.conversations["cut-1"].unread == 21
    finally:
        await ann.stop()
        await proxy.stop()


def _pending_replies(store_path: Path) -> list[Any]:
    with AgentStore(store_path) as store:
        return store.outbox_pending()


async def test_reply_sent_while_down_and_console_restarted_is_delivered_once(
        tmp_path, server_process, customers):
    server = await server_process.start()
    channel = "rita-support"
    customer = customers(server.origin, "rita")
    customer.config.reconnect_policy = PNReconnectionPolicy.LINEAR  # back within ~2 s
    heard = Recorder()
    customer.add_listener(heard)
    customer.subscribe().channels([channel]).execute()
    await wait_until(lambda: heard.connected)
    await open_conversation(customer, channel, "is anyone there?")
    bob = await InboxHarness(server.origin, tmp_path / "bob.json", "bob").start()
    store_path = tmp_path / "ann.json"
    try:
        app = console_app(server.origin, store_path)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(lambda: "is anyone there?" in transcript_text(app), timeout=15)
            await pilot.press("ctrl+g")
            await wait_until(lambda: bob.inbox.conversations[channel].assignee == "ann")
            await server.kill()
            await pilot.press("tab", *"Sorry for the wait", "enter")
            await wait_until(lambda: "retrying" in transcript_text(app), timeout=10)
        assert [p.channel for p in _pending_replies(store_path)] == [channel]

        again = console_app(server.origin, store_path)  # restarted while the server is down
        async with again.run_test(size=(120, 30)):
            status = again.screen.query_one(StatusLine)  # the connecting screen's
            await wait_until(lambda: status.connection is ConnectionState.RECONNECTING)
            # where and why, not the HTTP client's "All connection attempts failed"
            assert f"cannot reach {server.origin} (connection refused)" in status.detail, \
                status.detail
            assert again.console_screen is None
            await server.start()
            await wait_until(lambda: again.console_screen is not None, timeout=20)
            await wait_until(lambda: not again.console_screen.inbox.status().pending_replies,
                             timeout=15)
            await wait_until(lambda: any(m.publisher == "support" for m in heard.messages),
                             timeout=15)
            await wait_until(lambda: "Sorry for the wait" in transcript_text(again))
            await asyncio.sleep(0.5)  # a second delivery would have arrived by now

            stored = await history(customer, channel)
            assert [text for _, text in stored] == ["is anyone there?", "Sorry for the wait"]
            # One publish reached the customer's SDK. SDK 10.8 may hand the same envelope
            # over twice after its own reconnect (it polls its old cursor once more), so
            # receipts are counted by timetoken: a second publish would have its own.
            replies = {m.timetoken: m.message["text"] for m in heard.messages
                       if m.publisher == "support"}
            assert replies == {stored[1][0]: "Sorry for the wait"}
            texts = [text for _, text in stored]
            view = again.console_screen.inbox.conversations[channel]
            assert [e.text for e in view.entries] == texts
            assert transcript_text(again).count("Sorry for the wait") == 1
            # the claim made before the outage: both consoles agree on it
            assert view.assignee == "ann" and bob.inbox.conversations[channel].assignee == "ann"
            assert "@ann" in list_text(again)
            await wait_until(lambda: bob.texts(channel) == texts, timeout=15)
    finally:
        await bob.stop()


async def test_the_status_says_connected_as_soon_as_the_server_answers_again(
        server_process, tmp_path) -> None:
    """After an outage long enough for the subscribe poll's backoff to grow, a reply
    got through (✓) while the status line still said "reconnecting … connection
    refused" for ~20 s more (a new user, in tmux): the poll waited out its backoff, then
    parked until the server had something (up to 280 s on PubNub) before anything said
    connected. An answer to any request now wakes it, and it asks the time first."""
    server = await server_process.start()
    ann = await InboxHarness(server.origin, tmp_path / "ann.json", "ann").start()
    try:
        await wait_until(lambda: ann.inbox.connection is ConnectionState.CONNECTED)
        await server.kill()
        await wait_until(lambda: ann.inbox.connection is ConnectionState.RECONNECTING)
        await asyncio.sleep(8)  # the poll now backs off 8 to 16 s between tries
        await server.start()
        await ann.link.online()  # any request answered (here a presence one)
        answered = time.monotonic()
        await wait_until(lambda: ann.inbox.connection is ConnectionState.CONNECTED,
                         timeout=20)
        waited = time.monotonic() - answered  # the poll parks 2 s here, 280 s on PubNub
        assert waited < 1.0, f"said connected {waited:.1f} s after the server answered"
    finally:
        await ann.stop()
