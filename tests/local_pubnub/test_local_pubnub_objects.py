"""App Context on the local server, through the official SDK: ETags, paging, events."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiohttp
import pytest
from pubnub.endpoints.objects_v2.objects_endpoint import ObjectsEndpoint
from pubnub.models.consumer.objects_v2.page import Next, Previous
from pubnub.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue
from pubnub.models.subscription import PNEventEmitter

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

ISO_MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture(autouse=True)
def fresh_if_match_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK keeps If-Match in a class attribute (§12.1 item 2): give each test its own."""
    monkeypatch.setattr(ObjectsEndpoint, "_custom_headers", {})


@pytest.fixture
def objects_events_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """SDK 10.8 kills its receive loop on an `e:2` event (§12.1 item 1); the known fix."""
    for name in ("channel", "uuid", "membership", "file_message"):
        monkeypatch.setattr(PNEventEmitter, name, lambda self, event: None, raising=False)


async def subscribed(client: Any, recorder: Recorder, channels: list[str]) -> None:
    client.add_listener(recorder)
    client.subscribe().channels(channels).execute()
    await wait_until(lambda: recorder.connected)
    await asyncio.sleep(0.1)  # let the first long-poll park


def error_of(envelope: Any) -> tuple[int, Any]:
    assert envelope.status.is_error(), "expected the call to fail"
    return envelope.status.status_code, envelope.status.original_response


async def test_set_get_and_remove_channel_metadata(make_client):
    agent = make_client("agent-1")
    created = await agent.set_channel_metadata(
        channel="cust-1", name="Ticket 1", description="Late delivery",
        custom={"state": "new", "sla_h": 4, "vip": True}, include_custom=True).future()
    data = created.result.data
    assert data["id"] == "cust-1" and data["name"] == "Ticket 1"
    assert data["description"] == "Late delivery"
    assert data["custom"] == {"state": "new", "sla_h": 4, "vip": True}
    assert ISO_MICROS.match(data["updated"]) and data["eTag"]

    plain = (await agent.get_channel_metadata(channel="cust-1").future()).result.data
    assert "custom" not in plain and plain["status"] is None and plain["eTag"] == data["eTag"]
    full = (await agent.get_channel_metadata(channel="cust-1", include_custom=True)
            .future()).result.data
    assert full == data

    removed = await agent.remove_channel_metadata(channel="cust-1").future()
    assert removed.result.data is None
    status, body = error_of(await agent.get_channel_metadata(channel="cust-1").future())
    assert status == 404 and body["error"]["source"] == "objects"
    again = await agent.remove_channel_metadata(channel="cust-1").future()
    assert not again.status.is_error()


async def test_set_is_an_upsert_and_every_change_moves_the_etag(make_client):
    agent = make_client("agent-1")
    first = (await agent.set_uuid_metadata(
        uuid="cust-2", name="Dana", email="dana@example.invalid", status="online",
        custom={"tier": "gold"}, include_custom=True).future()).result.data
    # The SDK sends the four profile keys on every uuid set (null when unset), and
    # custom/status/type only when given: those are kept.
    second = (await agent.set_uuid_metadata(uuid="cust-2", name="Dana R", include_custom=True)
              .future()).result.data
    assert second["name"] == "Dana R" and second["email"] is None
    assert second["custom"] == {"tier": "gold"} and second["status"] == "online"
    assert second["eTag"] != first["eTag"] and second["updated"] > first["updated"]

    same = (await agent.set_uuid_metadata(uuid="cust-2", name="Dana R", include_custom=True)
            .future()).result.data
    assert same == second, "a write that changes nothing keeps the ETag"


async def test_two_agents_racing_a_conditional_claim_exactly_one_wins(make_client):
    ann, bob = make_client("ann"), make_client("bob")
    await ann.set_channel_metadata(channel="cust-3", name="Ticket 3",
                                   custom={"state": "new"}).future()
    read_by_ann = (await ann.get_channel_metadata(channel="cust-3").future()).result.data
    read_by_bob = (await bob.get_channel_metadata(channel="cust-3").future()).result.data
    assert read_by_ann["eTag"] == read_by_bob["eTag"]

    def claim(client: Any, agent: str, etag: str) -> Any:
        return client.set_channel_metadata(
            channel="cust-3", name="Ticket 3", include_custom=True,
            custom={"state": "assigned", "assignee": agent}).if_matches_etag(etag).future()

    results = await asyncio.gather(claim(ann, "ann", read_by_ann["eTag"]),
                                   claim(bob, "bob", read_by_bob["eTag"]))
    won = [r for r in results if not r.status.is_error()]
    lost = [r for r in results if r.status.is_error()]
    assert len(won) == 1 and len(lost) == 1
    status, body = error_of(lost[0])
    assert status == 412
    assert body == {"status": 412, "error": {
        "message": "Channel to update has been modified after it was read.",
        "source": "objects"}}
    winner = won[0].result.data["custom"]["assignee"]
    ObjectsEndpoint._custom_headers.clear()
    state = (await ann.get_channel_metadata(channel="cust-3", include_custom=True)
             .future()).result.data
    assert state["custom"] == {"state": "assigned", "assignee": winner}
    assert state["eTag"] == won[0].result.data["eTag"]


async def test_stale_etag_refuses_delete_and_leaves_the_object(make_client):
    agent = make_client("agent-1")
    old = (await agent.set_channel_metadata(channel="cust-4", name="a").future()).result.data
    await agent.set_channel_metadata(channel="cust-4", name="b").future()
    status, body = error_of(
        await agent.remove_channel_metadata(channel="cust-4").if_matches_etag(old["eTag"])
        .future())
    assert status == 412 and "modified after it was read" in body["error"]["message"]
    ObjectsEndpoint._custom_headers.clear()
    kept = (await agent.get_channel_metadata(channel="cust-4").future()).result.data
    assert kept["name"] == "b"


async def test_leaked_if_match_does_not_break_reads_or_writes_to_other_ids(make_client):
    agent = make_client("agent-1")
    first = (await agent.set_channel_metadata(channel="cust-5", name="a").future()).result.data
    await agent.set_channel_metadata(channel="cust-5", name="b") \
        .if_matches_etag(first["eTag"]).future()
    # From here on the SDK sends `If-Match: <first eTag>` on every App Context request.
    assert ObjectsEndpoint._custom_headers == {"If-Match": first["eTag"]}
    read = await agent.get_channel_metadata(channel="cust-5").future()
    assert not read.status.is_error() and read.result.data["name"] == "b"
    other = await agent.set_channel_metadata(channel="cust-6", name="other").future()
    assert not other.status.is_error()
    user = await agent.set_uuid_metadata(uuid="agent-1", name="Ann").future()
    assert not user.status.is_error()
    listed = await agent.get_all_channel_metadata().future()
    assert [c["id"] for c in listed.result.data] == ["cust-5", "cust-6"]
    # On the object it was meant for, the leaked ETag is stale, as on PubNub.
    status, _ = error_of(await agent.set_channel_metadata(channel="cust-5", name="c").future())
    assert status == 412


async def test_custom_must_be_flat_scalars(make_client, local_server):
    agent = make_client("agent-1")
    status, body = error_of(await agent.set_channel_metadata(
        channel="cust-7", name="x", custom={"tags": ["late", "vip"]}).future())
    assert status == 400
    assert body["error"]["details"][0]["location"] == "custom.tags"
    status, _ = error_of(await agent.set_uuid_metadata(
        uuid="cust-7", custom={"address": {"city": "Oslo"}}).future())
    assert status == 400
    status, _ = error_of(await agent.get_channel_metadata(channel="cust-7").future())
    assert status == 404, "a refused write stores nothing"

    url = f"{local_server.url}/v2/objects/{SUBSCRIBE_KEY}/channels/cust-7"
    async with aiohttp.ClientSession() as http:
        async with http.patch(url, data=b"{oops", params={"uuid": "u"}) as response:
            assert response.status == 415
        async with http.patch(url, json={"name": 5}, params={"uuid": "u"}) as response:
            assert response.status == 400


async def test_list_pages_counts_sorts_and_filters(make_client):
    agent = make_client("agent-1")
    states = ["new", "assigned", "new", "resolved", "new", "assigned", "new"]
    for number, state in enumerate(states):
        await agent.set_channel_metadata(channel=f"cust-{number}", name=f"Ticket {6 - number}",
                                         custom={"state": state, "n": number}).future()
    first = (await agent.get_all_channel_metadata(limit=3, include_total_count=True)
             .future()).result
    assert first.total_count == 7 and first.prev is None
    assert [c["id"] for c in first.data] == ["cust-0", "cust-1", "cust-2"]
    assert "custom" not in first.data[0]

    seen, page = [c["id"] for c in first.data], first.next
    while page is not None:
        result = (await agent.get_all_channel_metadata(limit=3, page=page).future()).result
        seen += [c["id"] for c in result.data]
        page = result.next if result.data else None
    assert seen == [f"cust-{n}" for n in range(7)]

    second = (await agent.get_all_channel_metadata(limit=3, page=first.next).future()).result
    back = (await agent.get_all_channel_metadata(limit=3, page=second.prev).future()).result
    assert isinstance(second.prev, Previous)
    assert [c["id"] for c in back.data] == ["cust-0", "cust-1", "cust-2"]

    by_name = (await agent.get_all_channel_metadata(
        sort_keys=[PNSortKey.desc(PNSortKeyValue.NAME)]).future()).result
    assert [c["name"] for c in by_name.data] == [f"Ticket {n}" for n in range(6, -1, -1)]

    async def ids(expression: str) -> list[str]:
        result = (await agent.get_all_channel_metadata(filter=expression, include_custom=True)
                  .future()).result
        return [c["id"] for c in result.data]

    assert await ids("custom.state == 'new'") == ["cust-0", "cust-2", "cust-4", "cust-6"]
    assert await ids("id == 'cust-3'") == ["cust-3"]
    assert await ids("name LIKE 'ticket 1*' || name LIKE '*5'") == ["cust-1", "cust-5"]
    assert await ids('custom.state == "new" && custom.n > 2') == ["cust-4", "cust-6"]
    assert await ids("!(custom.state == 'new') && custom.state != 'resolved'") == [
        "cust-1", "cust-5"]
    status, body = error_of(await agent.get_all_channel_metadata(filter="name ==").future())
    assert status == 400 and body["error"]["details"][0]["location"] == "filter"
    status, _ = error_of(await agent.get_all_channel_metadata(limit=101).future())
    assert status == 400
    empty = (await agent.get_all_channel_metadata(page=Next("OTk")).future()).result
    assert empty.data == [] and empty.next is None


async def test_objects_events_reach_subscribers(make_client, objects_events_fix):
    """Objects events are a keyset setting, off by default; this server turns them on."""
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as server:
        agent = make_client("agent-1", origin=server.origin)
        watcher = make_client("agent-2", origin=server.origin)
        inbox = Recorder()
        await subscribed(watcher, inbox, ["cust-8", "agent-1"])
        set_result = (await agent.set_channel_metadata(channel="cust-8", name="Ticket 8",
                                                       custom={"state": "new"}).future()).result
        await agent.set_channel_metadata(channel="cust-8", name="Ticket 8",
                                         custom={"state": "new"}).future()  # no change, no event
        await agent.set_uuid_metadata(uuid="agent-1", name="Ann").future()
        await agent.remove_channel_metadata(channel="cust-8").future()
        await agent.publish().channel("cust-8").message({"text": "after"}).future()
        await wait_until(lambda: inbox.messages)

        assert [(type(e).__name__, e.event) for e in inbox.objects] == [
            ("PNChannelMetadataResult", "set"), ("PNUUIDMetadataResult", "set"),
            ("PNChannelMetadataResult", "delete")]
        channel_set, user_set, deleted = (e.data for e in inbox.objects)
        assert channel_set["id"] == "cust-8" and channel_set["custom"] == {"state": "new"}
        assert channel_set["eTag"] == set_result.data["eTag"]
        assert channel_set["updated"] == set_result.data["updated"]
        assert user_set["id"] == "agent-1" and user_set["name"] == "Ann"
        assert deleted == {"id": "cust-8"}


async def test_without_objects_events_the_unpatched_sdk_keeps_receiving(make_client):
    """Regression for §12.1 item 1: with the switch off, no `e:2` reaches the SDK."""
    async with LocalPubNub(poll_timeout=2.0, objects_events=False) as server:
        agent = make_client("agent-1", origin=server.origin)
        watcher = make_client("agent-2", origin=server.origin)
        inbox = Recorder()
        await subscribed(watcher, inbox, ["cust-9"])
        await agent.set_channel_metadata(channel="cust-9", name="Ticket 9").future()
        await agent.publish().channel("cust-9").message({"text": "one"}).future()
        await wait_until(lambda: len(inbox.messages) == 1)
        await agent.set_channel_metadata(channel="cust-9", name="Ticket 9b").future()
        await agent.publish().channel("cust-9").message({"text": "two"}).future()
        await wait_until(lambda: len(inbox.messages) == 2)
        assert inbox.objects == []


async def test_restart_with_data_keeps_metadata_and_etags(tmp_path, make_client):
    data = str(tmp_path / "pubnub.sqlite")
    async with LocalPubNub(data_path=data) as first:
        agent = make_client("agent-1", origin=first.origin)
        stored = (await agent.set_channel_metadata(
            channel="cust-10", name="Kept", custom={"state": "resolved"}, include_custom=True)
            .future()).result.data
        await agent.set_uuid_metadata(uuid="agent-1", name="Ann").future()
    async with LocalPubNub(data_path=data) as second:
        agent = make_client("agent-1", origin=second.origin)
        loaded = (await agent.get_channel_metadata(channel="cust-10", include_custom=True)
                  .future()).result.data
        assert loaded == stored
        users = (await agent.get_all_uuid_metadata().future()).result.data
        assert [u["name"] for u in users] == ["Ann"]
        claimed = await agent.set_channel_metadata(channel="cust-10", name="Kept") \
            .if_matches_etag(stored["eTag"]).future()
        assert not claimed.status.is_error()
