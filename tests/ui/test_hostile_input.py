"""Hostile input (issue 7, item 3): what customers publish, and what reaches the server.

A live console under Pilot receives every payload of `hostile_payloads.CASES` from a
real customer SDK (raw HTTP where the SDK refuses), decoded by a converter module that
misbehaves on request. It must stay responsive, show each payload as text or as an
undecodable entry with its raw JSON, and never hand the terminal an escape sequence,
a C1 control, a bidi override or a lone surrogate, in any pane, header or toast.
Then local_pubnub gets malformed HTTP and a thousand idle long-polls: every request an
HTTP client can make gets a JSON error promptly (bytes that are not HTTP at all get
aiohttp's plain 400 before our code runs), none is a server error, and the server
serves normally afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
import uuid
import zlib
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.text import visible
from suppgram_tui.ui.screens.stats import StatsScreen
from suppgram_tui.ui.widgets.conversation_header import ConversationHeader
from suppgram_tui.ui.widgets.transcript import Transcript
from tests.helpers.console_harness import console_app, list_text, transcript_text, wait_ready
from tests.helpers.hostile_payloads import CASES, CONVERTER_SOURCE, IGNORED, RAW, Case, msg
from tests.helpers.inbox_harness import GROUP, customer_client
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.screen_checks import assert_clean, assert_terminal_clean, screen_text, squash
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.slow

CHANNEL = "mallory-support"
HUGE = 10**30  # a "timetoken" of 31 digits
EVIL_CUSTOMER = "\x1b]0;eve\x07[bold]eve\u202e"
EVIL_CHANNEL = "evil\x1b[2J\u202e-support"
ROGUE_CHANNEL = "rogue-support"
EVIL_GREETING = json.dumps({"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000",
                            "text": "hi \x1b[5mthere"})
EVIL_AGENT = "\x1b]52;c;cHduZWQ=\x07mallory\u202e[@click=app.quit]"


# what reaches the screen -----------------------------------------------------------

async def open_in(app: Any, channel: str) -> None:
    """Open a conversation once its row is in the list, as the agent would."""
    conversations = app.console_screen.conversation_list
    await wait_until(lambda: channel in conversations.rows)
    conversations.select(channel)
    await wait_until(lambda: app.console_screen.channel == channel)


def notification_texts(app: Any) -> list[str]:
    return [f"{n.title or ''} {n.message}" for n in app._notifications]


# fixtures --------------------------------------------------------------------------

@pytest.fixture
def hostile_converter(tmp_path, monkeypatch) -> str:
    """`module.Class` of a converter written for this test and importable from tmp_path."""
    name = f"hostile_converter_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(CONVERTER_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return f"{name}.HostileConverter"


@pytest.fixture
def far_east_local_time(monkeypatch):
    """Local time is UTC+14, so the last instant there is cannot be shown in local time."""
    monkeypatch.setenv("TZ", "XXX-14")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
async def clients(local_server):
    """Customer SDK clients (on the shared server unless told another origin)."""
    made: list[PubNubAsyncio] = []

    def build(uuid_: str, origin: str | None = None) -> PubNubAsyncio:
        client = customer_client(origin or local_server.origin, uuid_)
        made.append(client)
        return client

    yield build
    for client in made:
        await client.stop()


async def raw_get(http: aiohttp.ClientSession, base_url: str, path: str,
                  **params: str) -> Any:
    """A request made by hand (percent-encoded as PubNub's JS SDK does); must succeed."""
    async with http.get(base_url + path, params=params) as answer:
        body = await answer.json(content_type=None)
        assert answer.status == 200, (path[:80], body)
        return body


async def publish(customer: PubNubAsyncio, http: aiohttp.ClientSession, base_url: str,
                  channel: str, case: Case) -> int:
    if case.raw_http:
        path = (f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/{quote(channel, safe='')}/0/"
                f"{quote(json.dumps(case.payload), safe='')}")
        body = await raw_get(http, base_url, path, uuid=customer.config.uuid)
        return int(body[2])
    big = len(json.dumps(case.payload)) > 4000
    envelope = await customer.publish().channel(channel).message(case.payload) \
        .use_post(big).future()
    assert not envelope.status.is_error(), (case.label, envelope.status.error_data)
    return int(envelope.result.timetoken)


# the console ----------------------------------------------------------------------

async def test_hostile_payloads_reach_a_live_console_as_visible_text(
        local_server, tmp_path, clients, hostile_converter, far_east_local_time):
    assert len(CASES) >= 50
    mallory = clients("mallory")
    await mallory.add_channel_to_channel_group().channels([CHANNEL]).channel_group(GROUP) \
        .future()
    app = console_app(local_server.origin, tmp_path / "ann.json",
                      converter_path=hostile_converter)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app)
        inbox = app.console_screen.inbox
        async with aiohttp.ClientSession() as http:
            timetokens = [await publish(mallory, http, local_server.url, CHANNEL, case)
                          for case in CASES]
        ignored = [case for case in CASES if case.shows is IGNORED]
        await wait_until(lambda: CHANNEL in inbox.conversations and len(
            inbox.conversations[CHANNEL].entries) == len(CASES) - len(ignored), timeout=15)
        set_aside = inbox.conversations[CHANNEL].set_aside_entries
        await wait_until(lambda: len(set_aside) == len(ignored))

        # each payload is one entry: its text, or undecodable with its raw JSON
        entries = {entry.timetoken: entry for entry in inbox.conversations[CHANNEL].entries}
        aside = {entry.timetoken: entry for entry in set_aside}
        for case, timetoken in zip(CASES, timetokens, strict=True):
            if case.shows is IGNORED:
                assert timetoken in aside and aside[timetoken].ignored, case.label
                continue
            entry = entries[timetoken]
            if case.shows is RAW:
                assert entry.undecodable and entry.error, case.label
                assert json.loads(entry.raw) == case.payload, case.label
            else:
                assert not entry.undecodable, (case.label, entry.error)
                assert entry.text == case.shows, case.label

        # ... and the pane shows it, made visible, never obeyed
        await open_in(app, CHANNEL)
        last = entries[timetokens[-1]]
        await wait_until(lambda: squash(visible(last.text)) in squash(transcript_text(app)))
        shown = squash(transcript_text(app))
        for case, timetoken in zip(CASES, timetokens, strict=True):
            if case.shows is IGNORED:
                continue  # not in the conversation (the raw view shows it)
            entry = entries[timetoken]
            body = entry.raw if entry.undecodable else entry.text
            assert squash(visible(body)) in shown, case.label
        assert_clean(transcript_text(app), "the transcript")
        assert_clean(list_text(app), "the conversation list")
        assert_clean(screen_text(app), "the screen")
        assert_terminal_clean(app, "the console")

        # the raw wire view and the statistics screen take the same payloads
        transcript = app.console_screen.query_one(Transcript)
        await pilot.press("f2")
        await wait_until(lambda: transcript.raw_mode and "timetoken=" in transcript_text(app))
        assert_clean(transcript_text(app), "the raw view")
        await pilot.press("f3")
        await wait_until(lambda: isinstance(app.screen, StatsScreen))
        await pilot.pause()
        assert_clean(screen_text(app), "the statistics screen")
        await pilot.press("escape")
        await wait_until(lambda: app.screen is app.console_screen)

        # a customer whose id and channel are escape sequences, and a rogue state writer
        # (by hand: the Python SDK cannot put such ids in a URL; the JS SDK can)
        async with aiohttp.ClientSession() as http:
            await raw_get(http, local_server.url,
                          f"/v1/channel-registration/sub-key/{SUBSCRIBE_KEY}/channel-group/"
                          f"{GROUP}", add=EVIL_CHANNEL, uuid=EVIL_CUSTOMER)
            await raw_get(http, local_server.url,
                          f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/"
                          f"{quote(EVIL_CHANNEL, safe='')}/0/{quote(EVIL_GREETING, safe='')}",
                          uuid=EVIL_CUSTOMER)
        await wait_until(lambda: EVIL_CHANNEL in inbox.conversations)
        await wait_until(lambda: any("New conversation from ␛]0;eve" in text
                                     for text in notification_texts(app)))
        await open_in(app, EVIL_CHANNEL)
        header = app.console_screen.query_one(ConversationHeader)
        await wait_until(lambda: "evil␛[2J" in str(header.render()))
        assert_clean(str(header.render()), "the conversation header")
        toasts = len(app._notifications)
        await pilot.press("ctrl+g")  # the SDK cannot name this channel in a URL: a toast
        await wait_until(lambda: len(app._notifications) > toasts)

        # a rogue writes the shared state: an assignee and tags made of escape sequences
        rogue = clients("rogue")
        await rogue.add_channel_to_channel_group().channels([ROGUE_CHANNEL]) \
            .channel_group(GROUP).future()
        await rogue.publish().channel(ROGUE_CHANNEL).message(msg("claim me")).future()
        await wait_until(lambda: ROGUE_CHANNEL in inbox.conversations)
        await rogue.set_channel_metadata().channel("suppgram-state." + ROGUE_CHANNEL) \
            .custom({"state": "assigned", "assignee": EVIL_AGENT,
                     "tags": "\x1b[5mvip,[bold]x\u202e"}).future()
        # a rogue's own hint is ignored (only consoles, the support user, may send one);
        # the state it wrote is read when a console announces a change
        await clients("support").signal().channel("suppgram-state." + ROGUE_CHANNEL) \
            .message("x").future()
        await wait_until(lambda: inbox.conversations[ROGUE_CHANNEL].assignee == EVIL_AGENT)
        await open_in(app, ROGUE_CHANNEL)
        await wait_until(lambda: "mallory" in str(header.render()))
        await pilot.press("ctrl+g")  # someone "has" it: the toast names them
        await wait_until(lambda: any("mallory" in text for text in notification_texts(app)))
        await pilot.pause()
        assert_clean(str(header.render()), "the conversation header")
        for text in notification_texts(app):
            assert_clean(text, "a toast")
        assert_clean(list_text(app), "the conversation list")
        assert_clean(screen_text(app), "the screen with toasts")
        assert_terminal_clean(app, "the console with toasts")

        # still responsive: a key is handled and the next ordinary message shows up
        await pilot.press("alt+down", "alt+up")
        await mallory.publish().channel(CHANNEL).message(msg("still here")).future()
        await open_in(app, CHANNEL)
        await wait_until(lambda: "still here" in transcript_text(app))
        await wait_until(lambda: "still here" in list_text(app))
        assert app.is_running


# the server -------------------------------------------------------------------------

async def answer_of(http: aiohttp.ClientSession, method: str, url: str, *,
                    timeout: float = 5, **options: Any) -> tuple[int, Any]:
    """Status and JSON body (strict: NaN or Infinity fail) of one request, in time."""
    async with http.request(method, url, timeout=aiohttp.ClientTimeout(total=timeout),
                            **options) as response:
        body = await response.read()
    return response.status, json.loads(body, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def raw_status(port: int, request: bytes) -> int:
    """Send bytes no HTTP client library would; the status of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 5)  # then the server hangs up
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1])


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


async def test_malformed_requests_get_json_errors_and_the_server_keeps_serving(
        local_server, caplog, clients):
    caplog.set_level(logging.WARNING)
    base = local_server.url
    pub, sub = PUBLISH_KEY, SUBSCRIBE_KEY
    publish_path = f"{base}/publish/{pub}/{sub}/0/bad/0"
    bomb = zlib.compress(b"0" * 64 * 1024 * 1024, 9)  # 64 MiB of zeros in ~64 KiB
    nested_filter = "(" * 5000 + "id == 'x'" + ")" * 5000
    requests: list[tuple[str, str, dict[str, Any], int]] = [
        ("GET", f"{base}/", {}, 404),
        ("GET", f"{base}/nope/nothing/here", {}, 404),
        ("GET", f"{base}/publish/{pub}/{sub}/0", {}, 404),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/{quote('{not json')}", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/%ZZ%", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/%FF%FE%FD", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/NaN", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/1e400", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/{quote(deep(3000))}", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/1?meta=%7Bbroken", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/bad/0/1?meta=%5B1%5D", {}, 400),
        ("GET", f"{base}/publish/{pub}/{sub}/0/{'c' * 40000}/0/1", {}, 413),
        ("POST", publish_path, {"data": b"{broken"}, 400),
        ("POST", publish_path, {"data": b"\xff\xfe\x00 not utf-8"}, 400),
        ("POST", publish_path, {"data": deep(5000).encode()}, 400),
        ("POST", publish_path, {"data": b"[" + b"1," * (3 * 1024 * 1024) + b"1]"}, 413),
        ("POST", publish_path, {"data": b"not zlib",
                                "headers": {"Content-Encoding": "gzip"}}, 400),
        ("POST", publish_path, {"data": bomb, "headers": {"Content-Encoding": "gzip"}}, 413),
        ("GET", f"{base}/signal/{pub}/{sub}/0/bad/0/{quote('x' * 100)}", {}, 400),
        ("POST", f"{base}/time/0", {}, 405),
        ("DELETE", f"{base}/publish/{pub}/{sub}/0/bad/0/1", {}, 405),
        ("PUT", f"{base}/v2/subscribe/{sub}/bad/0", {}, 405),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0?tt=soon", {}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0?tt=-5", {}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/,/0", {}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0?tt=1&filter-expr=((((", {}, 400),
        ("GET", f"{base}/v3/history/sub-key/{sub}/channel/bad?max=many", {}, 400),
        ("GET", f"{base}/v3/history/sub-key/{sub}/channel/bad?start=then", {}, 400),
        ("GET", f"{base}/v2/presence/sub-key/{sub}/channel/bad/uuid/u/data?state=%7Bx", {},
         400),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad", {"data": b"{broken"}, 415),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad", {"data": b"\xff\xfe"}, 415),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad", {"data": b"[1, 2]"}, 400),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad",
         {"data": b'{"custom": {"deep": {"er": 1}}}'}, 400),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad",
         {"data": b'{"custom": {"n": NaN}}'}, 415),
        ("PATCH", f"{base}/v2/objects/{sub}/channels/bad", {"data": deep(5000).encode()}, 415),
        ("GET", f"{base}/v1/channel-registration/sub-key/{sub}/channel-group/g?add=,,,",
         {}, 400),
        # timetokens no 64-bit integer holds, and filters nested past any parser's stack
        ("GET", f"{base}/v3/history/sub-key/{sub}/channel/bad?start={HUGE}", {}, 400),
        ("GET", f"{base}/v3/history/sub-key/{sub}/channel/bad?end={HUGE}", {}, 400),
        ("GET", f"{base}/v2/history/sub-key/{sub}/channel/bad?start={HUGE}", {}, 400),
        ("GET", f"{base}/v3/history-with-actions/sub-key/{sub}/channel/bad?end={HUGE}", {},
         400),
        ("GET", f"{base}/v3/history/sub-key/{sub}/message-counts/bad?timetoken={HUGE}", {},
         400),
        ("GET", f"{base}/v3/history/sub-key/{sub}/message-counts/bad?"
                f"channelsTimetoken={HUGE}", {}, 400),
        ("DELETE", f"{base}/v3/history/sub-key/{sub}/channel/bad?start={HUGE}", {}, 400),
        ("GET", f"{base}/v1/message-actions/{sub}/channel/bad?start={HUGE}", {}, 400),
        ("POST", f"{base}/v1/message-actions/{sub}/channel/bad/message/{HUGE}",
         {"json": {"type": "r", "value": "x"}}, 400),
        ("DELETE", f"{base}/v1/message-actions/{sub}/channel/bad/message/{HUGE}/action/{HUGE}",
         {}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0?tt={HUGE}", {}, 400),
        ("GET", f"{base}/v2/objects/{sub}/channels", {"params": {"filter": nested_filter}}, 400),
        ("GET", f"{base}/v2/objects/{sub}/channels",
         {"params": {"filter": "!" * 5000 + "id == 'x'"}}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0",
         {"params": {"tt": "1", "filter-expr": "(" * 1000 + "meta.a == 1" + ")" * 1000}}, 400),
        ("GET", f"{base}/v2/subscribe/{sub}/bad/0",
         {"params": {"tt": "1", "filter-expr": "!" * 2000 + "meta.a == 1"}}, 400),
    ]
    async with aiohttp.ClientSession() as http:
        for method, url, options, status in requests:
            answer_status, body = await answer_of(http, method, url, **options)
            assert answer_status == status, (method, url[:120], answer_status, body)
            assert body, (method, url[:120])

    # Bytes no PubNub SDK sends (they percent-encode): a request line that is not ASCII,
    # not HTTP, or over 1 MiB. aiohttp's parser refuses them before any of our code runs,
    # with its own plain-text 400 and a closed connection: promptly, and harmlessly.
    for request in (b"GET /publish/p/s/0/bad/0/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /time/0 HTTP/1.1\r\nHost: x\r\nX-Bad: \x00\x01\r\n\r\n",
                    b"HELLO WORLD\r\n\r\n",
                    b"GET /" + b"a" * (1024 * 1024 + 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n"):
        assert await raw_status(local_server.port, request) == 400, request[:40]

    ours = [r for r in caplog.records
            if r.levelno >= logging.ERROR and r.name.startswith("suppgram_tui")]
    assert not ours, [r.getMessage()[:200] for r in ours]  # no input is a server error
    await assert_still_serving(local_server, clients, "after-bad")


async def test_a_thousand_idle_long_polls_are_held_and_released(clients):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2500:  # both ends of every poll live in this process
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    async with LocalPubNub(poll_timeout=60) as server:
        keyset = server.server.keyset(SUBSCRIBE_KEY)
        cursor = server.server.clock.next()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            async def idle_poll(i: int) -> tuple[int, Any]:
                return await answer_of(
                    http, "GET", f"{server.url}/v2/subscribe/{SUBSCRIBE_KEY}/idle-{i},idle-all/0",
                    params={"tt": str(cursor), "uuid": f"idler-{i}"}, timeout=60)

            polls = [asyncio.ensure_future(idle_poll(i)) for i in range(1000)]
            await wait_until(lambda: keyset.parked_count == 1000, timeout=30)
            started = time.monotonic()
            await assert_still_serving(server, clients, "while-1000-parked")
            assert time.monotonic() - started < 3

            # one message on the channel they all share releases every one of them
            released = await clients("releaser", server.origin).publish().channel("idle-all") \
                .message("go").future()
            answers = await asyncio.wait_for(asyncio.gather(*polls), 30)
        assert all(status == 200 and [m["d"] for m in body["m"]] == ["go"]
                   and body["t"]["t"] == str(released.result.timetoken)
                   for status, body in answers)
        assert keyset.parked_count == 0

        # and 200 more, abandoned by their clients mid-poll: the server lets them go
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            abandoned = [asyncio.ensure_future(http.get(
                f"{server.url}/v2/subscribe/{SUBSCRIBE_KEY}/idle-{i}/0",
                params={"tt": str(server.server.clock.next())})) for i in range(200)]
            await wait_until(lambda: keyset.parked_count == 200, timeout=20)
            for poll in abandoned:
                poll.cancel()
            await asyncio.gather(*abandoned, return_exceptions=True)
        await wait_until(lambda: keyset.parked_count == 0, timeout=10)
        await assert_still_serving(server, clients, "after-1000")


async def assert_still_serving(server: LocalPubNub, clients, tag: str) -> None:
    """A normal publish reaches a normal subscriber."""
    listener = clients(f"listener-{tag}", origin=server.origin)
    speaker = clients(f"speaker-{tag}", origin=server.origin)
    heard = Recorder()
    listener.add_listener(heard)
    listener.subscribe().channels([f"ok-{tag}"]).execute()
    await wait_until(lambda: heard.connected)
    envelope = await speaker.publish().channel(f"ok-{tag}").message({"still": "fine"}).future()
    assert not envelope.status.is_error()
    await wait_until(lambda: [m.message for m in heard.messages] == [{"still": "fine"}])
    listener.unsubscribe_all()
