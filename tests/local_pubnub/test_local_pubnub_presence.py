"""Presence on the local server, exercised with the official SDK over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

GROUP = "support"
TIMEOUT = 1  # seconds; the server's floor is lowered to allow it


@pytest.fixture
async def local_server() -> AsyncIterator[LocalPubNub]:
    """Overrides the shared server so presence windows can be one second long."""
    async with LocalPubNub(poll_timeout=2.0, presence_min_timeout=TIMEOUT) as server:
        yield server


async def subscribed(client: Any, recorder: Recorder, *, channels: Sequence[str] = (),
                     groups: Sequence[str] = (), presence: bool = False) -> None:
    client.add_listener(recorder)
    builder = client.subscribe().channels(list(channels)).channel_groups(list(groups))
    if presence:
        builder = builder.with_presence()
    builder.execute()
    await wait_until(lambda: recorder.connected)
    await asyncio.sleep(0.1)  # let the first long-poll park


def events_of(recorder: Recorder, uuid: str) -> list[tuple[str, str, int]]:
    return [(e.event, e.channel, e.occupancy) for e in recorder.presence_events if e.uuid == uuid]


async def add_to_group(client: Any, *channels: str) -> None:
    result = await client.add_channel_to_channel_group().channels(list(channels)) \
        .channel_group(GROUP).future()
    assert not result.status.is_error()


async def test_group_presence_subscriber_sees_join_leave_and_timeout(make_client):
    support = make_client("support")
    polite = make_client("cust-1", enable_presence_heartbeat=True)
    vanishing = make_client("cust-2")
    vanishing.config.set_presence_timeout(TIMEOUT)
    await add_to_group(support, "cust-1-support", "cust-2-support")
    watcher = Recorder()
    await subscribed(support, watcher, groups=[GROUP], presence=True)

    await subscribed(polite, Recorder(), channels=["cust-1-support"])
    await wait_until(lambda: events_of(watcher, "cust-1"))
    join = next(e for e in watcher.presence_events if e.uuid == "cust-1")
    assert (join.event, join.channel, join.subscription) == ("join", "cust-1-support", GROUP)
    assert join.occupancy == 2  # the support console is on every channel of its group
    assert isinstance(join.timestamp, int) and join.timestamp > 1_700_000_000

    polite.unsubscribe_all()  # with presence heartbeats on, the SDK sends leave
    await wait_until(lambda: len(events_of(watcher, "cust-1")) == 2)
    assert events_of(watcher, "cust-1")[1] == ("leave", "cust-1-support", 1)

    await subscribed(vanishing, Recorder(), channels=["cust-2-support"])
    await wait_until(lambda: events_of(watcher, "cust-2"))
    await asyncio.sleep(TIMEOUT + 0.5)  # open polls keep it present past its window
    assert events_of(watcher, "cust-2") == [("join", "cust-2-support", 2)]
    await vanishing.stop()  # no leave: its presence must time out
    await wait_until(lambda: len(events_of(watcher, "cust-2")) == 2, timeout=5)
    assert events_of(watcher, "cust-2")[1] == ("timeout", "cust-2-support", 1)


async def test_heartbeat_keeps_presence_until_its_window_runs_out(make_client):
    watcher_client, customer = make_client("support"), make_client("cust-3")
    customer.config.set_presence_timeout(TIMEOUT)
    watcher = Recorder()
    await subscribed(watcher_client, watcher, channels=["cust-3-support-pnpres"])

    for _ in range(3):
        envelope = await customer.heartbeat().channels(["cust-3-support"]).future()
        assert not envelope.status.is_error()
        await asyncio.sleep(TIMEOUT / 2)
    assert events_of(watcher, "cust-3") == [("join", "cust-3-support", 1)]
    await wait_until(lambda: len(events_of(watcher, "cust-3")) == 2, timeout=5)
    assert events_of(watcher, "cust-3")[1] == ("timeout", "cust-3-support", 0)
    where = await customer.where_now().future()
    assert where.result.channels == []


async def test_here_now_and_where_now(make_client):
    support, ann, bob = make_client("support"), make_client("ann"), make_client("bob")
    await add_to_group(support, "room-a", "room-b")
    await subscribed(ann, Recorder(), channels=["room-a", "room-b"])
    await subscribed(bob, Recorder(), channels=["room-a"])
    await support.set_state().channels(["room-a"]).state({"typing": True}).future()
    bob_state = await bob.set_state().channels(["room-a"]).state({"mood": "ok"}).future()
    assert bob_state.result.state == {"mood": "ok"}

    single = (await support.here_now().channels(["room-a"]).future()).result
    assert single.total_occupancy == 2
    assert sorted(o.uuid for o in single.channels[0].occupants) == ["ann", "bob"]

    several = (await support.here_now().channels(["room-a", "room-b"]).include_state(True)
               .future()).result
    assert (several.total_channels, several.total_occupancy) == (2, 3)
    by_name = {c.channel_name: c for c in several.channels}
    assert {o.uuid: o.state for o in by_name["room-a"].occupants} == {
        "ann": None, "bob": {"mood": "ok"}}
    assert by_name["room-b"].occupancy == 1

    grouped = (await support.here_now().channel_groups([GROUP]).include_uuids(False)
               .future()).result
    assert {c.channel_name: (c.occupancy, c.occupants) for c in grouped.channels} == {
        "room-a": (2, None), "room-b": (1, None)}

    everywhere = (await support.here_now().future()).result
    assert everywhere.total_occupancy == 3 and everywhere.total_channels == 2

    empty = (await support.here_now().channels(["nobody-here"]).future()).result
    assert (empty.total_occupancy, empty.channels[0].occupants) == (0, [])

    assert sorted((await support.where_now("ann").future()).result.channels) == [
        "room-a", "room-b"]
    assert (await support.where_now("support").future()).result.channels == []


async def test_presence_channels_generate_no_presence(make_client):
    watcher_client, probe = make_client("watcher"), make_client("probe")
    await add_to_group(probe, "quiet")
    await subscribed(watcher_client, Recorder(), channels=["quiet-pnpres"],
                     groups=[GROUP + "-pnpres"])
    assert (await probe.where_now("watcher").future()).result.channels == []
    assert (await probe.here_now().future()).result.total_occupancy == 0


async def test_state_set_get_and_state_change_event(make_client):
    support, customer = make_client("support"), make_client("cust-4")
    channel = "cust-4-support"
    watcher = Recorder()
    await subscribed(support, watcher, channels=[channel], presence=True)
    await wait_until(lambda: events_of(watcher, "support"))

    await customer.set_state().channels([channel, "elsewhere"]).state({"typing": True}).future()
    await wait_until(lambda: any(e.event == "state-change" for e in watcher.presence_events))
    change = next(e for e in watcher.presence_events if e.event == "state-change")
    assert (change.uuid, change.channel, change.state) == ("cust-4", channel, {"typing": True})
    assert change.occupancy == 1  # setting state is not joining

    one = (await support.get_state().channels([channel]).uuid("cust-4").future()).result
    assert one.channels == {channel: {"typing": True}}
    both = (await customer.get_state().channels([channel, "elsewhere", "unset"]).future()).result
    assert both.channels == {channel: {"typing": True}, "elsewhere": {"typing": True},
                             "unset": {}}


async def test_occupancy_counts_up_and_down(make_client):
    support = make_client("support")
    watcher = Recorder()
    await subscribed(support, watcher, channels=["lobby-pnpres"])
    guests = [make_client(f"guest-{i}", enable_presence_heartbeat=True) for i in range(3)]
    for guest in guests:
        await subscribed(guest, Recorder(), channels=["lobby"])
    await wait_until(lambda: len(watcher.presence_events) == 3)
    guests[0].unsubscribe_all()
    await wait_until(lambda: len(watcher.presence_events) == 4)
    assert [(e.event, e.occupancy) for e in watcher.presence_events] == [
        ("join", 1), ("join", 2), ("join", 3), ("leave", 2)]
    here = (await support.here_now().channels(["lobby"]).future()).result
    assert here.total_occupancy == 2


async def test_leave_on_drop_option_announces_leave_at_once(make_client):
    async with LocalPubNub(poll_timeout=2.0, presence_leave_on_drop=True) as snappy:
        support = make_client("support", origin=snappy.origin)
        customer = make_client("cust-5", origin=snappy.origin)
        watcher = Recorder()
        await subscribed(support, watcher, channels=["a-pnpres", "b-pnpres"])
        await subscribed(customer, Recorder(), channels=["a", "b"])
        await wait_until(lambda: len(events_of(watcher, "cust-5")) == 2)
        customer.unsubscribe().channels(["b"]).execute()  # no presence heartbeat: no leave call
        await wait_until(lambda: len(events_of(watcher, "cust-5")) == 3)
        assert events_of(watcher, "cust-5")[2] == ("leave", "b", 0)
        await support.stop()
        await customer.stop()


async def test_malformed_presence_requests_get_json_400(local_server):
    base = f"{local_server.url}/v2/presence/sub-key/{SUBSCRIBE_KEY}/channel"
    async with aiohttp.ClientSession() as http:
        cases = [
            f"{base}/room/uuid/ann/data?uuid=ann&state=%7Bnot-json",
            f"{base}/room/uuid/ann/data?uuid=ann&state=%5B1%5D",
            f"{base}/room/uuid/ann/data?uuid=ann",
            f"{base}/room/heartbeat?uuid=ann&heartbeat=soon",
            f"{base}/,/heartbeat?uuid=ann&heartbeat=60",
            f"{base}/room/heartbeat?heartbeat=60",
            f"{base}/room?uuid=ann&limit=many",
            f"{base}/room/heartbeat?uuid=ann&heartbeat=60&state=%7B",
            f"{local_server.url}/v2/subscribe/{SUBSCRIBE_KEY}/room/0?uuid=ann&heartbeat=soon",
        ]
        for url in cases:
            async with http.get(url) as response:
                assert response.status == 400, url
                body = await response.json(content_type=None)
                assert body["error"] is True and body["service"] == "Presence", url


def test_every_presence_route_declares_its_access_needs():
    from suppgram_tui.local_pubnub.server import LocalServer, ServerOptions

    server = LocalServer(ServerOptions())
    try:
        routes = [r for r in server.router.routes if r.segments[:2] == ["v2", "presence"]]
        assert len(routes) == 7
        assert all(r.needs is not None or r.signed_only for r in routes)
    finally:
        server.close()


async def test_heartbeat_state_sets_state_once(make_client):
    support, customer = make_client("support"), make_client("cust-6")
    watcher = Recorder()
    await subscribed(support, watcher, channels=["desk-pnpres"])
    for _ in range(2):
        await customer.heartbeat().channels(["desk"]).state({"desk": {"away": False}}).future()
    here = (await support.here_now().channels(["desk"]).include_state(True).future()).result
    assert [(o.uuid, o.state) for o in here.channels[0].occupants] == [("cust-6", {"away": False})]
    await wait_until(lambda: len(watcher.presence_events) == 2)
    await asyncio.sleep(0.2)
    assert [e.event for e in watcher.presence_events] == ["join", "state-change"]
