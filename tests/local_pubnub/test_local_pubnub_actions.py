"""Message actions and history with actions on the local server, through the official SDK."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from pubnub.models.consumer.message_actions import PNMessageAction

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until


def action(message_timetoken: int, kind: str = "receipt", value: str = "read") -> PNMessageAction:
    return PNMessageAction().create(type=kind, value=value,
                                    message_timetoken=str(message_timetoken))


async def published(client: Any, channel: str, text: str) -> int:
    envelope = await client.publish().channel(channel).message({"text": text}).future()
    return envelope.result.timetoken


def error_of(envelope: Any) -> tuple[int, Any]:
    assert envelope.status.is_error(), "expected the call to fail"
    return envelope.status.status_code, envelope.status.original_response


async def test_add_get_and_remove_an_action(make_client):
    customer, agent = make_client("cust-1"), make_client("agent-1")
    message_tt = await published(customer, "cust-1", "my order is late")
    added = (await agent.add_message_action(channel="cust-1", message_action=action(message_tt))
             .future()).result
    assert (added.type, added.value, added.uuid) == ("receipt", "read", "agent-1")
    assert added.message_timetoken == str(message_tt)
    assert int(added.action_timetoken) > message_tt

    listed = (await agent.get_message_actions(channel="cust-1").future()).result.actions
    assert [(a.type, a.value, a.uuid, a.action_timetoken) for a in listed] == [
        ("receipt", "read", "agent-1", added.action_timetoken)]

    removed = await agent.remove_message_action(
        channel="cust-1", message_timetoken=message_tt,
        action_timetoken=int(added.action_timetoken)).future()
    assert not removed.status.is_error()
    assert (await agent.get_message_actions(channel="cust-1").future()).result.actions == []


async def test_refusals_missing_message_duplicate_and_bad_body(make_client, local_server):
    agent = make_client("agent-1")
    message_tt = await published(agent, "cust-2", "hello")
    status, body = error_of(await agent.add_message_action(
        channel="cust-2", message_action=action(message_tt + 1)).future())
    assert status == 400 and body["error"]["source"] == "actions"
    status, _ = error_of(await agent.add_message_action(
        channel="other", message_action=action(message_tt)).future())
    assert status == 400, "the timetoken must name a message of this channel"

    await agent.add_message_action(channel="cust-2", message_action=action(message_tt)).future()
    status, _ = error_of(await agent.add_message_action(
        channel="cust-2", message_action=action(message_tt)).future())
    assert status == 409
    other_agent = make_client("agent-2")
    second = await other_agent.add_message_action(
        channel="cust-2", message_action=action(message_tt)).future()
    assert not second.status.is_error(), "another user may add the same reaction"

    url = f"{local_server.url}/v1/message-actions/{SUBSCRIBE_KEY}/channel/cust-2/message/" \
          f"{message_tt}"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"type": "receipt"}, params={"uuid": "u"}) as response:
            assert response.status == 400
        async with http.post(url, data=b"{", params={"uuid": "u"}) as response:
            assert response.status == 415


async def test_get_pages_backwards_with_more(make_client):
    agent = make_client("agent-1")
    message_tt = await published(agent, "cust-3", "hello")
    added = []
    for number in range(7):
        result = await agent.add_message_action(
            channel="cust-3", message_action=action(message_tt, "reaction", f"r{number}")).future()
        added.append(result.result.action_timetoken)

    page = await agent.get_message_actions(channel="cust-3", limit="3").future()
    assert [a.action_timetoken for a in page.result.actions] == added[4:]
    more = page.result._result["more"]
    assert more["start"] == added[4] and more["limit"] == 3
    seen = [a.action_timetoken for a in page.result.actions]
    while "more" in page.result._result:
        start = page.result._result["more"]["start"]
        page = await agent.get_message_actions(channel="cust-3", start=start, limit="3").future()
        seen = [a.action_timetoken for a in page.result.actions] + seen
    assert seen == added

    window = await agent.get_message_actions(channel="cust-3", end=added[5]).future()
    assert [a.action_timetoken for a in window.result.actions] == added[5:]
    capped = await agent.get_message_actions(channel="cust-3", limit="101").future()
    assert error_of(capped)[0] == 400


async def test_action_events_reach_subscribers(make_client):
    customer, agent = make_client("cust-4"), make_client("agent-1")
    inbox = Recorder()
    customer.add_listener(inbox)
    customer.subscribe().channels(["cust-4"]).execute()
    await wait_until(lambda: inbox.connected)
    await asyncio.sleep(0.1)
    message_tt = await published(customer, "cust-4", "hi")
    added = (await agent.add_message_action(channel="cust-4", message_action=action(message_tt))
             .future()).result
    await agent.remove_message_action(channel="cust-4", message_timetoken=message_tt,
                                      action_timetoken=int(added.action_timetoken)).future()
    await published(customer, "cust-4", "still here")
    await wait_until(lambda: len(inbox.messages) == 2 and len(inbox.actions) == 2)
    for event in inbox.actions:
        assert (event.type, event.value, event.uuid, event.channel) == (
            "receipt", "read", "agent-1", "cust-4")
        assert event.message_timetoken == str(message_tt)
        assert event.action_timetoken == added.action_timetoken


async def test_history_with_actions_aggregates_per_message(make_client):
    customer, ann, bob = make_client("cust-5"), make_client("ann"), make_client("bob")
    first = await published(customer, "cust-5", "one")
    second = await published(customer, "cust-5", "two")
    third = await published(customer, "cust-5", "three")
    read_by_ann = (await ann.add_message_action(channel="cust-5", message_action=action(first))
                   .future()).result
    read_by_bob = (await bob.add_message_action(channel="cust-5", message_action=action(first))
                   .future()).result
    thumbs = (await ann.add_message_action(
        channel="cust-5", message_action=action(third, "reaction", "thumbs_up")).future()).result

    fetched = await ann.fetch_messages(channels=["cust-5"], include_message_actions=True,
                                       include_uuid=True).future()
    items = fetched.result.channels["cust-5"]
    assert [int(m.timetoken) for m in items] == [first, second, third]
    assert items[0].actions == {"receipt": {"read": [
        {"uuid": "ann", "actionTimetoken": read_by_ann.action_timetoken},
        {"uuid": "bob", "actionTimetoken": read_by_bob.action_timetoken}]}}
    assert items[1].actions == {}
    assert items[2].actions == {"reaction": {"thumbs_up": [
        {"uuid": "ann", "actionTimetoken": thumbs.action_timetoken}]}}
    assert items[0].uuid == "cust-5" and items[0].message == {"text": "one"}

    page = await ann.fetch_messages(channels=["cust-5"], include_message_actions=True,
                                    count=2).future()
    assert [int(m.timetoken) for m in page.result.channels["cust-5"]] == [second, third]
    older = await ann.fetch_messages(channels=["cust-5"], include_message_actions=True,
                                     count=2, start=second).future()
    assert [int(m.timetoken) for m in older.result.channels["cust-5"]] == [first]


async def test_history_with_actions_wire_shape(make_client, local_server):
    customer = make_client("cust-6")
    stamps = [await published(customer, "cust-6", f"m{n}") for n in range(30)]
    url = f"{local_server.url}/v3/history-with-actions/sub-key/{SUBSCRIBE_KEY}/channel/cust-6"
    async with aiohttp.ClientSession() as http:
        async with http.get(url, params={"max": "100", "uuid": "u"}) as response:
            body = await response.json(content_type=None)
        assert response.status == 200
        assert len(body["channels"]["cust-6"]) == 25, "at most 25 messages with actions"
        assert body["more"]["start"] == str(stamps[5]) and body["more"]["max"] == 25
        async with http.get(url.replace("cust-6", "a,b"), params={"uuid": "u"}) as response:
            assert response.status == 400


async def test_restart_with_data_keeps_actions(tmp_path, make_client):
    data = str(tmp_path / "pubnub.sqlite")
    async with LocalPubNub(data_path=data) as first:
        agent = make_client("agent-1", origin=first.origin)
        message_tt = await published(agent, "cust-7", "kept")
        added = (await agent.add_message_action(
            channel="cust-7", message_action=action(message_tt)).future()).result
    async with LocalPubNub(data_path=data) as second:
        agent = make_client("agent-1", origin=second.origin)
        listed = (await agent.get_message_actions(channel="cust-7").future()).result.actions
        assert [a.action_timetoken for a in listed] == [added.action_timetoken]
        fetched = await agent.fetch_messages(channels=["cust-7"], include_message_actions=True) \
            .future()
        assert fetched.result.channels["cust-7"][0].actions == {"receipt": {"read": [
            {"uuid": "agent-1", "actionTimetoken": added.action_timetoken}]}}
