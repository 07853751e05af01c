"""Wire details the JavaScript SDK depends on, checked over raw HTTP (no Node needed).

tests/test_js_sdk.py runs the real JS SDK; these pin the same server fixes in the
Python-only suite: URLs built exactly as the JS SDK builds them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from yarl import URL

from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.local_pubnub.message_filter import FilterSyntaxError, compile_filter
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

pytestmark = pytest.mark.js

JS = "pnsdk=PubNub-JS-Nodejs%2F12.0.3"


def js_encode(text: str) -> str:
    """The JS SDK's `encodeString`: encodeURIComponent plus `!~*'()`."""
    return quote(text, safe="")


async def get(http: aiohttp.ClientSession, server: LocalPubNub, path_and_query: str) -> Any:
    async with http.get(URL(server.url + path_and_query, encoded=True)) as response:
        assert "javascript" in response.headers["Content-Type"]
        return response.status, json.loads(await response.text())


async def test_get_publish_of_a_large_message_fits_the_request_line(local_server):
    """SDKs publish by GET with the message in the path: 20 KiB must pass, 40 KiB is a 413."""
    base = f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/big/0/"
    async with aiohttp.ClientSession() as http:
        ok = js_encode(json.dumps({"text": "x" * 20_000}))
        status, body = await get(http, local_server, base + ok + "?uuid=u&" + JS)
        assert status == 200 and body[:2] == [1, "Sent"]
        too_big = js_encode(json.dumps({"text": "x" * 40_000}))
        status, body = await get(http, local_server, base + too_big + "?uuid=u&" + JS)
        assert status == 413 and body[:2] == [0, "Message Too Large"]


async def test_history_v2_string_message_token_keeps_exact_timetokens(local_server):
    async with aiohttp.ClientSession() as http:
        _, sent = await get(http, local_server,
                            f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/h2/0/%22hi%22?uuid=u")
        path = f"/v2/history/sub-key/{SUBSCRIBE_KEY}/channel/h2?count=100&include_token=true"
        _, plain = await get(http, local_server, path)
        _, strings = await get(http, local_server, path + "&string_message_token=true")
        _, legacy = await get(http, local_server, path + "&stringtoken=true")
    assert plain[0][0]["timetoken"] == int(sent[2])
    assert strings[0][0]["timetoken"] == sent[2] and isinstance(strings[1], int)
    assert legacy[0][0]["timetoken"] == sent[2] and legacy[1] == sent[2] == legacy[2]


async def test_channel_group_names_are_decoded_once(local_server):
    """The JS SDK percent-encodes the `add=` list: a literal `%2F` arrives as `%252F`."""
    channel = "odd b/c+d%2Fe"
    group_path = f"/v1/channel-registration/sub-key/{SUBSCRIBE_KEY}/channel-group/g%2D1"
    async with aiohttp.ClientSession() as http:
        status, _ = await get(http, local_server, f"{group_path}?add={js_encode(channel)}%2Cplain")
        assert status == 200
        _, listed = await get(http, local_server, group_path)
        assert sorted(listed["payload"]["channels"]) == sorted([channel, "plain"])
        _, groups = await get(http, local_server,
                              f"/v1/channel-registration/sub-key/{SUBSCRIBE_KEY}/channel-group")
        assert groups["payload"]["groups"] == ["g-1"] and groups["error"] is False


async def test_subscribe_filter_expression(local_server):
    """The JS SDK sends `filter-expr` on every poll; rejected messages still move the cursor."""
    sub = f"/v2/subscribe/{SUBSCRIBE_KEY}/flt/0?ee=&uuid=u&filter-expr="
    expression = js_encode("meta.prio == 'high' && data.n > 1")
    publish = f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/flt/0/"
    async with aiohttp.ClientSession() as http:
        _, handshake = await get(http, local_server, sub + expression)
        cursor = handshake["t"]["t"]
        for n, prio in ((5, "low"), (1, "high"), (2, "high")):
            meta = js_encode(json.dumps({"prio": prio}))
            await get(http, local_server, f"{publish}{js_encode(json.dumps({'n': n}))}?meta={meta}")
        _, got = await get(http, local_server, f"{sub}{expression}&tt={cursor}&tr=4")
        assert [m["d"] for m in got["m"]] == [{"n": 2}]
        # only rejected messages pending: the empty answer still advances the cursor
        await get(http, local_server, f"{publish}{js_encode(json.dumps({'n': 9}))}")
        _, empty = await get(http, local_server, f"{sub}{expression}&tt={got['t']['t']}&tr=4")
        assert empty["m"] == [] and int(empty["t"]["t"]) > int(got["t"]["t"])
        status, error = await get(http, local_server, f"{sub}{js_encode('meta.a ==')}&tt=0")
        assert status == 400 and error["error"] is True


@pytest.mark.parametrize(("expression", "meta", "data", "expected"), [
    ("uuid != 'me'", {"uuid": "other"}, {}, True),
    ("uuid != 'me'", {"uuid": "me"}, {}, False),
    ("uuid != 'me'", None, {}, True),
    ('meta.priority == "high"', {"priority": "high"}, {}, True),
    ("meta.level > 5", {"level": "7"}, {}, True),
    ("meta.level > 5", {"level": "x"}, {}, False),
    ("data.score >= 80 || meta.vip == true", {"vip": True}, {"score": 1}, True),
    ("!(data.score >= 80)", {}, {"score": 90}, False),
    ('meta.category LIKE "news*"', {"category": "News-Sport"}, {}, True),
    ('data.text CONTAINS "late"', {}, {"text": "my order is late"}, True),
    ('meta.tags CONTAINS "vip"', {"tags": ["a", "vip"]}, {}, True),
    ('meta.user["role"] == "agent"', {"user": {"role": "agent"}}, {}, True),
    ("data.items[1] == 2", {}, {"items": [1, 2]}, True),
    ("meta.id % 10 == 3", {"id": 1233}, {}, True),
    ("meta.missing == 1", {}, {}, False),
])
def test_filter_expression_language(expression, meta, data, expected):
    message_filter = compile_filter(expression)
    assert message_filter is not None
    assert message_filter.accepts(meta, data) is expected


@pytest.mark.parametrize("expression", ["meta.a ==", "(meta.a == 1", "meta.", "data == 1",
                                        "meta.a = 1", "meta.a == 'x' extra"])
def test_filter_expression_syntax_errors(expression):
    with pytest.raises(FilterSyntaxError):
        compile_filter(expression)


async def test_empty_filter_delivers_everything(local_server):
    assert compile_filter("") is None and compile_filter(None) is None
    sub = f"/v2/subscribe/{SUBSCRIBE_KEY}/nofilter/0?uuid=u&filter-expr="
    async with aiohttp.ClientSession() as http:
        _, handshake = await get(http, local_server, sub)
        poll = asyncio.ensure_future(
            get(http, local_server, f"{sub}&tt={handshake['t']['t']}&tr=4"))
        await asyncio.sleep(0.1)
        await get(http, local_server,
                  f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/nofilter/0/%22hi%22?uuid=u")
        _, got = await poll
    assert [m["d"] for m in got["m"]] == ["hi"]
