"""The local server's core protocol, exercised with the official SDK over HTTP."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import aiohttp

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

GROUP = "support"


def customer_message(text: str, kind: str = "from_customer") -> dict[str, str]:
    return {"kind": kind, "time": "2026-11-26T04:00:00.000000+0000", "text": text}


async def subscribed(client, recorder: Recorder, *, channels=(), groups=(), timetoken=None):
    client.add_listener(recorder)
    builder = client.subscribe().channels(list(channels)).channel_groups(list(groups))
    if timetoken is not None:
        builder = builder.with_timetoken(timetoken)
    builder.execute()
    await wait_until(lambda: recorder.connected)
    await asyncio.sleep(0.1)  # let the first long-poll park


async def test_group_subscriber_receives_customer_messages_and_customer_gets_reply(make_client):
    support, customer = make_client("support"), make_client("cust-1")
    channel = "cust-1-support"
    result = await customer.add_channel_to_channel_group().channels([channel]) \
        .channel_group(GROUP).future()
    assert not result.status.is_error()
    support_inbox, customer_inbox = Recorder(), Recorder()
    await subscribed(support, support_inbox, groups=[GROUP])
    await subscribed(customer, customer_inbox, channels=[channel])

    published = await customer.publish().channel(channel).message(customer_message("hi")).future()
    assert published.result.timetoken > 10**16
    await wait_until(lambda: support_inbox.messages)
    received = support_inbox.messages[0]
    assert received.message == customer_message("hi")
    assert received.publisher == "cust-1"
    assert received.channel == channel
    assert received.subscription == GROUP
    assert received.timetoken == published.result.timetoken

    await support.publish().channel(channel).message(customer_message("hello", "from_agent")) \
        .meta({"agent": "ann", "client_id": "c-1"}).future()
    await wait_until(lambda: any(m.publisher == "support" for m in customer_inbox.messages))
    reply = next(m for m in customer_inbox.messages if m.publisher == "support")
    assert reply.message["kind"] == "from_agent"
    assert reply.user_metadata == {"agent": "ann", "client_id": "c-1"}


async def test_burst_arrives_complete_and_in_order(make_client):
    support, customer = make_client("support"), make_client("cust-2")
    channel = "cust-2-support"
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP).future()
    inbox = Recorder()
    await subscribed(support, inbox, groups=[GROUP])
    await asyncio.gather(*(
        customer.publish().channel(channel).message(customer_message(f"m{i}")).future()
        for i in range(10)
    ))
    for i in range(10, 400):
        await customer.publish().channel(channel).message(customer_message(f"m{i}")).future()
    await wait_until(lambda: len(inbox.messages) >= 400, timeout=30)
    timetokens = [m.timetoken for m in inbox.messages]
    assert timetokens == sorted(timetokens) and len(set(timetokens)) == 400
    texts = [m.message["text"] for m in inbox.messages[10:]]
    assert texts == [f"m{i}" for i in range(10, 400)]


async def test_resume_from_old_timetoken_delivers_what_was_missed(make_client):
    customer = make_client("cust-3")
    channel = "cust-3-support"
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP).future()
    before = int((await customer.time().future()).result)
    for i in range(130):  # more than one response's worth
        await customer.publish().channel(channel).message(customer_message(f"late {i}")).future()

    support = make_client("support")
    inbox = Recorder()
    await subscribed(support, inbox, groups=[GROUP], timetoken=before)
    await wait_until(lambda: len(inbox.messages) >= 130)
    assert [m.message["text"] for m in inbox.messages] == [f"late {i}" for i in range(130)]


async def test_fetch_single_multi_and_paging(make_client):
    client = make_client("cust-4")
    for i in range(30):
        await client.publish().channel("a").message({"n": i}).meta({"i": i}).future()
    for i in range(3):
        await client.publish().channel("b").message({"n": i}).future()

    single = await client.fetch_messages().channels(["a"]).maximum_per_channel(10) \
        .include_meta(True).future()
    page = single.result.channels["a"]
    assert [item.message["n"] for item in page] == list(range(20, 30))
    assert page[0].meta == {"i": 20}

    older = await client.fetch_messages().channels(["a"]).maximum_per_channel(10) \
        .start(int(page[0].timetoken)).future()
    assert [item.message["n"] for item in older.result.channels["a"]] == list(range(10, 20))

    multi = await client.fetch_messages().channels(["a", "b", "empty"]).future()
    assert len(multi.result.channels["a"]) == 25  # at most 25 per channel for several channels
    assert [item.message["n"] for item in multi.result.channels["b"]] == [0, 1, 2]
    assert multi.result.channels.get("empty", []) == []

    history = await client.history().channel("b").count(2).include_timetoken(True).future()
    assert [item.entry for item in history.result.messages] == [{"n": 1}, {"n": 2}]


async def test_message_counts_per_channel_timetokens(make_client):
    client = make_client("cust-5")
    marks = []
    for channel in ("x", "y"):
        for i in range(4):
            result = await client.publish().channel(channel).message({"i": i}).future()
            if i == 1:
                marks.append(result.result.timetoken)
    counts = await client.message_counts().channel(["x", "y"]).channel_timetokens(marks).future()
    assert counts.result.channels == {"x": 2, "y": 2}
    one = await client.message_counts().channel(["x"]).channel_timetokens([0]).future()
    assert one.result.channels == {"x": 4}


async def test_group_listing_removal_and_deletion(make_client):
    client = make_client("admin")
    await client.add_channel_to_channel_group().channels(["c1", "c2", "c3"]) \
        .channel_group("g").future()
    listed = await client.list_channels_in_channel_group().channel_group("g").future()
    assert sorted(listed.result.channels) == ["c1", "c2", "c3"]
    await client.remove_channel_from_channel_group().channels(["c2"]).channel_group("g").future()
    listed = await client.list_channels_in_channel_group().channel_group("g").future()
    assert sorted(listed.result.channels) == ["c1", "c3"]
    await client.remove_channel_group().channel_group("g").future()
    listed = await client.list_channels_in_channel_group().channel_group("g").future()
    assert listed.result.channels == []


async def test_group_membership_is_live_for_subscribers(make_client):
    support, customer = make_client("support"), make_client("late-joiner")
    await customer.add_channel_to_channel_group().channels(["first"]).channel_group(GROUP).future()
    inbox = Recorder()
    await subscribed(support, inbox, groups=[GROUP])
    await customer.add_channel_to_channel_group().channels(["second"]).channel_group(GROUP).future()
    await customer.publish().channel("second").message({"hello": 1}).future()
    await wait_until(lambda: inbox.messages)
    assert inbox.messages[0].channel == "second"


async def test_oversized_and_malformed_publishes_get_pubnub_errors(make_client, local_server):
    client = make_client("support")
    big = await client.publish().channel("ch").message({"text": "x" * 40_000}) \
        .use_post(True).future()
    assert big.status.is_error() and big.status.status_code == 413
    assert big.status.original_response[:2] == [0, "Message Too Large"]

    async with aiohttp.ClientSession() as http:
        base = f"{local_server.url}/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/ch/0"
        async with http.post(base, data=b"{not json", params={"uuid": "u"}) as response:
            assert response.status == 400
            body = await response.json(content_type=None)
            assert body[:2] == [0, "Invalid JSON"]
        async with http.get(base + "/" + quote('{"a":'), params={"uuid": "u"}) as response:
            assert response.status == 400
        async with http.get(f"{local_server.url}/v2/nothing/here") as response:
            assert response.status == 404
            assert (await response.json(content_type=None))["error"] is True
        history = f"{local_server.url}/v3/history/sub-key/{SUBSCRIBE_KEY}/channel/ch"
        async with http.get(history, params={"max": "ten"}) as response:
            assert response.status == 400
            assert "max" in (await response.json(content_type=None))["error_message"]
        counts = f"{local_server.url}/v3/history/sub-key/{SUBSCRIBE_KEY}/message-counts/a,b"
        async with http.get(counts, params={"channelsTimetoken": "1"}) as response:
            assert response.status == 400


async def test_slash_in_message_and_signal_delivery(make_client):
    support, customer = make_client("support"), make_client("cust-6")
    inbox = Recorder()
    await subscribed(support, inbox, channels=["cust-6-support"])
    await customer.publish().channel("cust-6-support") \
        .message({"text": "see https://example.invalid/a/b?c=d%2F"}).future()
    await customer.signal().channel("cust-6-support").message("typing").future()
    await wait_until(lambda: inbox.messages and inbox.signals)
    assert inbox.messages[0].message["text"] == "see https://example.invalid/a/b?c=d%2F"
    assert inbox.signals[0].message == "typing"
    history = await support.fetch_messages().channels(["cust-6-support"]).future()
    assert len(history.result.channels["cust-6-support"]) == 1  # signals are not stored


async def test_idle_poll_is_answered_empty_and_hangup_frees_the_waiter(local_server):
    keyset = local_server.server.keyset(SUBSCRIBE_KEY)
    url = f"{local_server.url}/v2/subscribe/{SUBSCRIBE_KEY}/idle/0"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"tt": "0", "uuid": "u"}) as response:
            cursor = (await response.json(content_type=None))["t"]["t"]
        async with http.get(url, params={"tt": cursor, "uuid": "u"}) as response:
            body = await response.json(content_type=None)
        assert body == {"t": {"t": cursor, "r": 4}, "m": []}

        poll = asyncio.ensure_future(http.get(url, params={"tt": cursor, "uuid": "u"}))
        await wait_until(lambda: keyset.parked_count == 1)
        poll.cancel()
    await wait_until(lambda: keyset.parked_count == 0)


async def test_restart_with_data_keeps_history_groups_and_clock(tmp_path, make_client):
    data = str(tmp_path / "pubnub.sqlite")
    async with LocalPubNub(data_path=data) as first:
        client = make_client("cust-7", origin=first.origin)
        await client.add_channel_to_channel_group().channels(["kept"]).channel_group("g").future()
        sent = await client.publish().channel("kept").message({"n": 1}).future()
        last = sent.result.timetoken
    async with LocalPubNub(data_path=data) as second:
        client = make_client("cust-7", origin=second.origin)
        fetched = await client.fetch_messages().channels(["kept"]).future()
        assert [m.message for m in fetched.result.channels["kept"]] == [{"n": 1}]
        listed = await client.list_channels_in_channel_group().channel_group("g").future()
        assert listed.result.channels == ["kept"]
        after = await client.publish().channel("kept").message({"n": 2}).future()
        assert after.result.timetoken > last


async def test_timetokens_strictly_increase_across_services(make_client):
    client = make_client("clock")
    tokens = []
    for _ in range(50):
        tokens.append(int((await client.time().future()).result))
        tokens.append((await client.publish().channel("c").message(1).future()).result.timetoken)
        signal = await client.signal().channel("c").message(1).future()
        tokens.append(int(signal.result.timetoken))
    assert tokens == sorted(tokens) and len(set(tokens)) == len(tokens)
    assert all(len(str(token)) == 17 for token in tokens)


async def test_keysets_are_separate(make_client, local_server):
    client = make_client("u")
    await client.publish().channel("shared-name").message({"k": 1}).future()
    async with aiohttp.ClientSession() as http:
        url = f"{local_server.url}/v3/history/sub-key/other-key/channel/shared-name"
        async with http.get(url) as response:
            assert json.loads(await response.text())["channels"] == {}
