"""PubNub's size limits outside the message body (issue 11, item 8), over real HTTP.

Each limit is tried just inside (accepted) and just outside (refused in the shape of
the service's own errors), so code tested here meets the walls it meets on PubNub:
publish URI with meta 32 KiB, uuid 92 characters, channel name 2,048, App Context
record 32 KiB, presence state 32 KiB, message-action request 32 KiB.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

PUB, SUB = PUBLISH_KEY, SUBSCRIBE_KEY


async def call(http: aiohttp.ClientSession, method: str, url: str,
               **options: Any) -> tuple[int, Any]:
    async with http.request(method, url, **options) as response:
        return response.status, json.loads(await response.read())


@pytest.fixture
async def http(local_server):
    async with aiohttp.ClientSession(base_url=local_server.url) as session:
        yield session


def publish_path(channel: str, message: Any) -> str:
    return f"/publish/{PUB}/{SUB}/0/{quote(channel, safe='')}/0/{quote(json.dumps(message))}"


def compact(value: Any) -> str:
    """JSON as the SDKs put it in a query: no spaces (aiohttp would send a space as `+`,
    which PubNub, and so the local server, read as a plus)."""
    return json.dumps(value, separators=(",", ":"))


def is_publish_error(body: Any, message: str) -> bool:
    return isinstance(body, list) and body[:2] == [0, message] and body[2].isdigit()


async def test_publish_counts_meta_in_its_32_kib(http, make_client):
    meta_fits = compact({"pad": "m" * 30_000})
    status, body = await call(http, "GET", publish_path("ch", "hi"),
                              params={"meta": meta_fits, "uuid": "u"})
    assert status == 200, body
    too_much = compact({"pad": "m" * 33_000})
    status, body = await call(http, "GET", publish_path("ch", "hi"),
                              params={"meta": too_much, "uuid": "u"})
    assert status == 413 and is_publish_error(body, "Message Too Large"), body
    status, body = await call(http, "POST", f"/publish/{PUB}/{SUB}/0/ch/0",
                              params={"meta": too_much}, data=b'"hi"')
    assert status == 413 and is_publish_error(body, "Message Too Large"), body

    # the SDK sees the same 413 (it cannot send a 600 KB meta at all: httpx refuses URLs
    # over 64 KiB)
    client = make_client("meta-sender")
    envelope = await client.publish().channel("ch").message("hi") \
        .meta({"pad": "x" * 40_000}).future()
    assert envelope.status.is_error() and envelope.status.status_code == 413


async def test_uuid_is_at_most_92_characters_everywhere(http):
    fits, long = "u" * 92, "u" * 93
    status, body = await call(http, "GET", publish_path("ch", 1), params={"uuid": fits})
    assert status == 200, body
    status, body = await call(http, "GET", publish_path("ch", 1), params={"uuid": long})
    assert status == 400 and is_publish_error(body, "Invalid uuid: must be at most 92 "
                                                    "characters"), body
    status, body = await call(http, "GET", f"/v2/subscribe/{SUB}/ch/0",
                              params={"tt": "0", "uuid": long})
    assert status == 400 and body["service"] == "Subscribe" and body["error"], body
    status, body = await call(http, "GET", f"/v2/presence/sub-key/{SUB}/channel/ch/heartbeat",
                              params={"uuid": long})
    assert status == 400 and body["service"] == "Presence", body
    status, body = await call(http, "GET",
                              f"/v2/presence/sub-key/{SUB}/channel/ch/uuid/{long}/data",
                              params={"state": "{}"})
    assert status == 400 and body["service"] == "Presence", body
    status, body = await call(http, "GET", f"/v3/history/sub-key/{SUB}/channel/ch",
                              params={"uuid": long})
    assert status == 400 and body["error"] and "uuid" in body["error_message"], body
    status, body = await call(http, "POST", f"/v1/message-actions/{SUB}/channel/ch/message/1",
                              params={"uuid": long}, json={"type": "r", "value": "x"})
    assert status == 400 and body["error"]["details"][0]["location"] == "uuid", body
    status, body = await call(http, "GET", f"/v2/objects/{SUB}/uuids/{long}")
    assert status == 400, body


async def test_channel_names_are_at_most_2048_characters(http):
    fits, long = "c" * 2048, "c" * 2049
    status, body = await call(http, "GET", publish_path(fits, 1))
    assert status == 200, body
    status, body = await call(http, "GET", publish_path(long, 1))
    assert status == 400 and is_publish_error(body, "Invalid channel name"), body
    status, body = await call(http, "GET", f"/signal/{PUB}/{SUB}/0/{long}/0/1")
    assert status == 400 and is_publish_error(body, "Invalid channel name"), body
    status, body = await call(http, "GET", f"/v2/subscribe/{SUB}/ok,{long}/0",
                              params={"tt": "0"})
    assert status == 400 and body["service"] == "Subscribe", body
    status, body = await call(http, "GET", f"/v3/history/sub-key/{SUB}/channel/{long}")
    assert status == 400 and body["error"] and body["channels"] == {}, body
    status, body = await call(http, "GET",
                              f"/v1/channel-registration/sub-key/{SUB}/channel-group/g",
                              params={"add": f"ok,{long}"})
    assert status == 400 and body["service"] == "channel-registry", body
    status, body = await call(http, "GET",
                              f"/v1/channel-registration/sub-key/{SUB}/channel-group/g",
                              params={"add": fits})
    assert status == 200, body


async def test_app_context_records_are_at_most_32_kib(http):
    url = f"/v2/objects/{SUB}/channels/room"
    status, body = await call(http, "PATCH", url, json={"custom": {"pad": "p" * 30_000}})
    assert status == 200, body
    status, body = await call(http, "PATCH", url, json={"description": "d" * 3_000})
    assert status == 400 and body["error"]["details"][0]["location"] == "body", body
    status, body = await call(http, "PATCH", f"/v2/objects/{SUB}/uuids/u",
                              json={"custom": {"pad": "p" * 1_900_000}})
    assert status == 400 and body["error"]["source"] == "objects", body
    status, body = await call(http, "GET", url, params={"include": "custom"})
    assert status == 200 and body["data"]["description"] is None, body  # nothing changed


async def test_presence_state_is_at_most_32_kib(http):
    base = f"/v2/presence/sub-key/{SUB}/channel/ch"
    fits = compact({"pad": "s" * 30_000})
    status, body = await call(http, "GET", f"{base}/uuid/u/data", params={"state": fits})
    assert status == 200, body
    big = compact({"pad": "s" * 600_000})
    status, body = await call(http, "GET", f"{base}/uuid/u/data", params={"state": big})
    assert status == 400 and body["service"] == "Presence" and "state" in body["message"]
    status, body = await call(http, "GET", f"{base}/heartbeat",
                              params={"uuid": "u", "state": json.dumps({"ch": json.loads(big)})})
    assert status == 400 and body["service"] == "Presence", body


async def test_message_action_requests_are_at_most_32_kib(http):
    status, body = await call(http, "GET", publish_path("acts", "m"))
    message_tt = body[2]
    url = f"/v1/message-actions/{SUB}/channel/acts/message/{message_tt}"
    status, body = await call(http, "POST", url, params={"uuid": "u"},
                              json={"type": "note", "value": "v" * 30_000})
    assert status == 200, body
    status, body = await call(http, "POST", url, params={"uuid": "u"},
                              json={"type": "note", "value": "v" * 1_000_000})
    assert status == 413 and body["error"]["source"] == "actions", body
