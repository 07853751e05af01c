"""App Context memberships and channel members on the local server, through the official
Python SDK: shapes, includes, filters, sort, paging, events, limits, Access Manager."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from pubnub.endpoints.objects_v2.objects_endpoint import ObjectsEndpoint
from pubnub.models.consumer.objects_v2.channel_members import PNUserMember
from pubnub.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership
from pubnub.models.consumer.objects_v2.page import Next, Previous
from pubnub.models.consumer.objects_v2.sort import PNSortKey, PNSortKeyValue
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.uuid import UUID
from pubnub.models.subscription import PNEventEmitter

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

ISO_MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
SECRET = "s3cret-key"
EVERYTHING = MembershipIncludes(custom=True, status=True, type=True, channel=True,
                                channel_custom=True, channel_type=True, channel_status=True)


@pytest.fixture(autouse=True)
def fresh_if_match_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK keeps If-Match in a class attribute (§12.1 item 2): give each test its own."""
    monkeypatch.setattr(ObjectsEndpoint, "_custom_headers", {})


def ok(envelope: Any) -> Any:
    assert not envelope.status.is_error(), envelope.status.original_response
    return envelope.result


def error_of(envelope: Any) -> tuple[int, Any]:
    assert envelope.status.is_error(), "expected the call to fail"
    return envelope.status.status_code, envelope.status.original_response


def membership(channel: str, **fields: Any) -> PNChannelMembership:
    return PNChannelMembership(channel, **fields)


async def test_set_get_and_remove_memberships_in_pubnubs_shapes(make_client):
    user = make_client("cust-1")
    ok(await user.set_channel_metadata(channel="support.t-1", name="Ticket 1",
                                       description="Late", status="open", type="direct",
                                       custom={"prio": "high"}).future())
    set_result = ok(await user.set_memberships(channel_memberships=[
        membership("support.t-1", custom={"lastReadMessageTimetoken": "17350000000000001"},
                   status="active", type="member"),
        membership("no-metadata"),
    ], include=EVERYTHING).future())
    assert set_result.next is not None and set_result.total_count is None
    second, first = set_result.data  # ordered by channel id
    assert list(first) == ["channel", "type", "status", "custom", "updated", "eTag"]
    channel = first["channel"]
    assert list(channel) == ["id", "name", "description", "type", "status", "custom",
                             "updated", "eTag"]
    assert (channel["id"], channel["name"], channel["custom"]) == (
        "support.t-1", "Ticket 1", {"prio": "high"})
    assert (first["type"], first["status"]) == ("member", "active")
    assert first["custom"] == {"lastReadMessageTimetoken": "17350000000000001"}
    assert ISO_MICROS.match(first["updated"]) and first["eTag"]
    # A channel without metadata is named by id only, whatever `include` says.
    assert second["channel"] == {"id": "no-metadata"} and second["custom"] is None

    plain = ok(await user.get_memberships().future())
    assert [list(item) for item in plain.data] == [["channel", "updated", "eTag"]] * 2
    assert plain.data[1]["channel"] == {"id": "support.t-1"}
    assert plain.data[1]["eTag"] == first["eTag"]
    # `channel.custom` alone brings the whole channel, as PubNub answered it.
    only_custom = ok(await user.get_memberships(include=MembershipIncludes(
        channel_custom=True)).future())
    assert only_custom.data[1]["channel"]["custom"] == {"prio": "high"}
    assert "status" not in only_custom.data[1]["channel"]

    removed = ok(await user.remove_memberships(channel_memberships=[
        membership("no-metadata")]).future())
    assert [item["channel"]["id"] for item in removed.data] == ["support.t-1"]
    other = make_client("cust-2")
    assert ok(await other.get_memberships().future()).data == []
    assert ok(await other.get_memberships(uuid="cust-1").future()).data == removed.data


async def test_a_set_is_an_upsert_and_a_no_op_keeps_the_etag(make_client):
    user = make_client("cust-1")
    every = MembershipIncludes(custom=True, status=True, type=True)
    first = ok(await user.set_memberships(channel_memberships=[
        membership("c1", custom={"a": 1}, status="active")], include=every).future()).data[0]
    again = ok(await user.set_memberships(channel_memberships=[
        membership("c1", custom={"a": 1}, status="active")], include=every).future()).data[0]
    assert again == first
    typed = ok(await user.set_memberships(channel_memberships=[
        membership("c1", type="admin")], include=every).future()).data[0]
    assert (typed["custom"], typed["status"], typed["type"]) == ({"a": 1}, "active", "admin")
    assert typed["eTag"] != first["eTag"] and typed["updated"] > first["updated"]
    replaced = ok(await user.set_memberships(channel_memberships=[
        membership("c1", custom={"b": True})], include=every).future()).data[0]
    assert replaced["custom"] == {"b": True}  # custom is replaced whole, never merged


async def test_members_are_the_same_records_seen_from_the_channel(make_client):
    agent = make_client("agent-1")
    ok(await agent.set_uuid_metadata(uuid="cust-1", name="Dana", email="d@example.invalid",
                                     custom={"tier": "gold"}).future())
    members = ok(await agent.set_channel_members(channel="support.t-2", uuids=[
        PNUserMember("cust-1", status="active", custom={"role": "customer"}),
        PNUserMember("agent-1", type="agent"),
    ], include=MemberIncludes(custom=True, status=True, type=True, user=True,
                              user_custom=True)).future())
    by_id = {item["uuid"]["id"]: item for item in members.data}
    dana = by_id["cust-1"]
    assert list(dana["uuid"]) == ["id", "name", "externalId", "profileUrl", "email",
                                  "custom", "updated", "eTag"]
    assert dana["uuid"]["custom"] == {"tier": "gold"} and dana["custom"] == {"role": "customer"}
    assert by_id["agent-1"]["uuid"] == {"id": "agent-1"} and by_id["agent-1"]["type"] == "agent"

    seen_by_customer = ok(await make_client("cust-1").get_memberships(
        include=MembershipIncludes(custom=True, status=True)).future()).data
    assert [(m["channel"]["id"], m["custom"], m["status"]) for m in seen_by_customer] == [
        ("support.t-2", {"role": "customer"}, "active")]

    managed = ok(await agent.manage_channel_members(
        channel="support.t-2", uuids_to_set=[PNUserMember("agent-2")],
        uuids_to_remove=[PNUserMember("agent-1")]).future())
    assert [m["uuid"]["id"] for m in managed.data] == ["agent-2", "cust-1"]
    left = ok(await agent.remove_channel_members(channel="support.t-2",
                                                 uuids=[PNUserMember("cust-1")]).future())
    assert [m["uuid"]["id"] for m in left.data] == ["agent-2"]
    assert ok(await make_client("cust-1").get_memberships().future()).data == []
    got = ok(await agent.get_channel_members(channel="support.t-2").future())
    assert [m["uuid"] for m in got.data] == [{"id": "agent-2"}]


async def test_manage_memberships_deletes_then_sets(make_client):
    user = make_client("cust-1")
    ok(await user.set_memberships(channel_memberships=[
        membership("a", custom={"x": 1}), membership("b")]).future())
    result = ok(await user.manage_memberships(
        channel_memberships_to_set=[membership("c"), membership("a", status="back")],
        channel_memberships_to_remove=[membership("b"), membership("a")],
        include=MembershipIncludes(custom=True, status=True)).future())
    assert [(m["channel"]["id"], m["custom"], m["status"]) for m in result.data] == [
        ("a", None, "back"), ("c", None, None)]


async def test_filters_the_chat_sdk_sends(make_client):
    user = make_client("cust-1")
    ok(await user.set_channel_metadata(channel="direct.1", name="Dana & Ann",
                                       type="direct").future())
    ok(await user.set_memberships(channel_memberships=[
        membership("direct.1", custom={"lastReadMessageTimetoken": "5"}),
        membership("PUBNUB_INTERNAL_MODERATION_direct.1", custom={"mute": True}),
        membership("group.2", status="pending"),
    ]).future())

    async def channels(expression: str) -> list[str]:
        result = ok(await user.get_memberships(filter=expression).future())
        return [m["channel"]["id"] for m in result.data]

    assert await channels("channel.id == 'direct.1'") == ["direct.1"]
    assert await channels("!(channel.id LIKE 'PUBNUB_INTERNAL_MODERATION_*')") == [
        "direct.1", "group.2"]
    assert await channels("channel.type == 'direct'") == ["direct.1"]
    assert await channels("custom.mute == true") == ["PUBNUB_INTERNAL_MODERATION_direct.1"]
    assert await channels("status == 'pending' || channel.name LIKE 'dana*'") == [
        "direct.1", "group.2"]
    members = ok(await user.get_channel_members(channel="direct.1",
                                                filter="uuid.id == 'cust-1'").future())
    assert [m["uuid"]["id"] for m in members.data] == ["cust-1"]
    nobody = ok(await user.get_channel_members(channel="direct.1",
                                               filter="uuid.id == 'cust-2'").future())
    assert nobody.data == []
    status, body = error_of(await user.get_memberships(filter="channel.id ==").future())
    assert status == 400 and body["error"]["details"][0]["location"] == "filter"


async def test_sort_limit_count_and_pages(make_client):
    user = make_client("cust-1")
    for n in (3, 1, 4, 0, 2):
        ok(await user.set_channel_metadata(channel=f"c{n}", name=f"Room {4 - n}").future())
        ok(await user.set_memberships(channel_memberships=[membership(f"c{n}")]).future())

    async def ids(**options: Any) -> Any:
        result = ok(await user.get_memberships(**options).future())
        return [m["channel"]["id"] for m in result.data], result

    assert (await ids())[0] == ["c0", "c1", "c2", "c3", "c4"]
    newest, _ = await ids(sort_keys=[PNSortKey.desc(PNSortKeyValue.UPDATED)])
    assert newest == ["c2", "c0", "c4", "c1", "c3"]
    by_name, _ = await ids(sort_keys=[PNSortKey.asc(PNSortKeyValue.NAME)])
    assert by_name == ["c4", "c3", "c2", "c1", "c0"]
    first, page = await ids(limit=2, include_total_count=True)
    assert first == ["c0", "c1"] and page.total_count == 5 and page.prev is None
    second, page2 = await ids(limit=2, page=page.next)
    assert second == ["c2", "c3"] and page2.total_count is None
    back, _ = await ids(limit=2, page=Previous(page2.prev.hash))
    assert back == ["c0", "c1"]
    last, page3 = await ids(limit=2, page=Next(page2.next.hash))
    assert last == ["c4"]
    assert (await ids(limit=2, page=page3.next))[0] == []
    status, _ = error_of(await user.get_memberships(limit=101).future())
    assert status == 400


async def test_membership_events_reach_the_channel_and_the_user(make_client, monkeypatch):
    """Membership events go to the channel and to the uuid's own channel (Chat SDK
    listens on both); a set that changes nothing announces nothing."""
    monkeypatch.setattr(PNEventEmitter, "membership", lambda self, event: None, raising=False)
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as server:
        admin = make_client("agent-1", origin=server.origin)
        on_channel, on_user = Recorder(), Recorder()
        for client, inbox, channel in ((make_client("w1", origin=server.origin), on_channel,
                                        "support.t-3"),
                                       (make_client("w2", origin=server.origin), on_user,
                                        "cust-3")):
            client.add_listener(inbox)
            client.subscribe().channels([channel]).execute()
            await wait_until(lambda inbox=inbox: inbox.connected)
        await asyncio.sleep(0.1)
        stored = ok(await admin.set_memberships(uuid="cust-3", channel_memberships=[
            membership("support.t-3", custom={"role": "customer"})]).future()).data[0]
        ok(await admin.set_memberships(uuid="cust-3", channel_memberships=[
            membership("support.t-3", custom={"role": "customer"})]).future())
        ok(await admin.remove_channel_members(channel="support.t-3",
                                              uuids=[PNUserMember("cust-3")]).future())
        ok(await admin.publish().channel("support.t-3").message({"text": "x"}).future())
        ok(await admin.publish().channel("cust-3").message({"text": "x"}).future())
        await wait_until(lambda: on_channel.messages and on_user.messages)

    for inbox in (on_channel, on_user):
        assert [(type(e).__name__, e.event) for e in inbox.objects] == [
            ("PNMembershipResult", "set"), ("PNMembershipResult", "delete")]
        set_event, delete_event = (e.data for e in inbox.objects)
        assert set_event == {"channel": {"id": "support.t-3"}, "uuid": {"id": "cust-3"},
                             "custom": {"role": "customer"}, "updated": stored["updated"],
                             "eTag": stored["eTag"]}
        assert delete_event == {"channel": {"id": "support.t-3"}, "uuid": {"id": "cust-3"}}


async def test_bodies_and_sizes_are_checked_like_other_app_context_writes(make_client):
    user = make_client("cust-1")
    status, body = error_of(await user.set_memberships(channel_memberships=[
        membership("c1", custom={"nested": {"no": 1}})]).future())
    assert status == 400 and body["error"]["details"][0]["location"] == "set[0].custom.nested"
    status, body = error_of(await user.set_memberships(channel_memberships=[
        membership("x" * 93)]).future())
    assert status == 400 and body["error"]["details"][0]["location"] == "set[0].channel.id"
    status, body = error_of(await user.set_memberships(channel_memberships=[
        membership("c1", custom={"big": "x" * 33_000})]).future())
    assert status == 400 and "32768 bytes" in body["error"]["details"][0]["message"]
    status, _ = error_of(await user.set_memberships(channel_memberships=[
        membership(f"c{n}") for n in range(101)]).future())
    assert status == 400
    # Nothing of a refused request is kept.
    assert ok(await user.get_memberships().future()).data == []


async def test_referential_integrity_option(make_client):
    """PubNub: with the keyset option on, memberships need existing users and channels,
    and go when either is deleted; without it (the default here) neither holds."""
    async with LocalPubNub(membership_integrity=True) as server:
        user = make_client("cust-1", origin=server.origin)
        status, _ = error_of(await user.set_memberships(channel_memberships=[
            membership("c1")]).future())
        assert status == 400
        ok(await user.set_uuid_metadata(uuid="cust-1", name="Dana").future())
        ok(await user.set_channel_metadata(channel="c1", name="One").future())
        ok(await user.set_channel_metadata(channel="c2", name="Two").future())
        ok(await user.set_memberships(channel_memberships=[
            membership("c1"), membership("c2")]).future())
        ok(await user.remove_channel_metadata(channel="c1").future())
        assert [m["channel"]["id"] for m in ok(await user.get_memberships().future()).data] == [
            "c2"]
        ok(await user.remove_uuid_metadata(uuid="cust-1").future())
        assert ok(await user.get_channel_members(channel="c2").future()).data == []

    user = make_client("cust-1")
    ok(await user.set_channel_metadata(channel="c1", name="One").future())
    ok(await user.set_memberships(channel_memberships=[membership("c1")]).future())
    ok(await user.remove_channel_metadata(channel="c1").future())
    assert ok(await user.get_memberships().future()).data[0]["channel"] == {"id": "c1"}


async def test_memberships_survive_a_restart(tmp_path, make_client):
    data = str(tmp_path / "pubnub.sqlite")
    async with LocalPubNub(data_path=data) as first:
        user = make_client("cust-1", origin=first.origin)
        stored = ok(await user.set_memberships(channel_memberships=[
            membership("c1", custom={"k": "v"})], include=EVERYTHING).future()).data
    async with LocalPubNub(data_path=data) as second:
        user = make_client("cust-1", origin=second.origin)
        assert ok(await user.get_memberships(include=EVERYTHING).future()).data == stored
        members = ok(await user.get_channel_members(channel="c1").future()).data
        assert [m["uuid"]["id"] for m in members] == ["cust-1"]


# Access Manager -----------------------------------------------------------------


async def test_access_manager_checks_memberships_as_pubnub_maps_them(make_client):
    async with LocalPubNub(secret_key=SECRET, poll_timeout=2.0) as server:
        admin = make_client("support", secret_key=SECRET, origin=server.origin)

        async def client(**grants: Any) -> Any:
            builder = admin.grant_token().ttl(15).authorized_uuid("cust-1")
            builder = builder.channels(grants.get("channels", [])).uuids(
                grants.get("uuids", []))
            return make_client("cust-1", token=ok(await builder.future()).token,
                               origin=server.origin)

        reader = await client(uuids=[UUID.id("cust-1").get()])
        assert ok(await reader.get_memberships().future()).data == []
        status, body = error_of(await reader.set_memberships(
            channel_memberships=[membership("room")]).future())
        assert (status, body["payload"]) == (403, {"uuids": ["cust-1"], "channels": ["room"]})

        joiner = await client(uuids=[UUID.id("cust-1").get().update()],
                              channels=[Channel.id("room").join()])
        ok(await joiner.set_memberships(channel_memberships=[membership("room")]).future())
        status, body = error_of(await joiner.set_memberships(
            channel_memberships=[membership("room"), membership("vip")]).future())
        assert (status, body["payload"]) == (403, {"channels": ["vip"]})
        status, body = error_of(await joiner.get_memberships(uuid="cust-2").future())
        assert (status, body["payload"]) == (403, {"uuids": ["cust-2"]})
        status, body = error_of(await joiner.get_channel_members(channel="room").future())
        assert (status, body["payload"]) == (403, {"channels": ["room"]})

        manager = await client(channels=[Channel.id("room").get().manage()])
        members = ok(await manager.get_channel_members(channel="room").future())
        assert [m["uuid"]["id"] for m in members.data] == ["cust-1"]
        ok(await manager.remove_channel_members(channel="room",
                                                uuids=[PNUserMember("cust-1")]).future())
        status, _ = error_of(await reader.set_channel_members(
            channel="room", uuids=[PNUserMember("cust-1")]).future())
        assert status == 403
        # The secret key's signature is an admin: everything passes.
        ok(await admin.set_channel_members(channel="room",
                                           uuids=[PNUserMember("cust-9")]).future())
        ok(await admin.get_memberships(uuid="cust-9").future())
