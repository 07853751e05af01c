"""The receiver's poll leaves the SDK's request path (issue 15) but not its wire format:
the same path, query and headers reach the server as when the SDK sends the request
itself, and a refusal reads in the same words."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from pubnub.endpoints.pubsub.subscribe import Subscribe
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.long_poll import LongPoll

SEEN: list[dict[str, Any]] = []


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, dict[str, str]]]:
    """A bare HTTP server that records each request and answers as `?answer=` asks."""
    answers = {"ok": (200, {"t": {"t": "17000000000000000", "r": 1}, "m": []}),
               "refused": (403, {"status": 403, "message": "Forbidden", "error": True,
                                 "service": "Access Manager"})}
    mode = {"answer": "ok"}

    async def handle(request: web.Request) -> web.Response:
        SEEN.append({"path": request.raw_path.split("?")[0], "query": dict(request.query),
                     "agent": request.headers.get("User-Agent")})
        status, body = answers[mode["answer"]]
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    SEEN.clear()
    yield f"127.0.0.1:{port}", mode
    await runner.cleanup()


def client(origin: str) -> PubNubAsyncio:
    config = PNConfiguration()
    config.publish_key, config.subscribe_key, config.uuid = "pub-c-x", "sub-c-x", "support"
    config.origin, config.ssl = origin, False
    config.secret_key = "sec-c-x"  # signed requests: the signature must survive as built
    pubnub = PubNubAsyncio(config)
    pubnub.set_token("tok-x")
    return pubnub


def poll(pubnub: PubNubAsyncio) -> Subscribe:
    request = Subscribe(pubnub).channel_groups(["support", "support-pnpres"]) \
        .channels(["suppgram-state.*", "a b/ü"])
    request.timetoken(17000000000000000)
    request.region(4)
    return request


def comparable(seen: dict[str, Any]) -> dict[str, Any]:
    """The request as the server saw it, less what differs per request by design."""
    query = {k: v for k, v in seen["query"].items() if k not in ("signature", "timestamp",
                                                                  "requestid")}
    return {**seen, "query": query, "signed": "signature" in seen["query"]}


async def test_the_poll_reaches_the_server_as_the_sdk_sends_it(
        server: tuple[str, dict[str, str]]) -> None:
    pubnub = client(server[0])
    long_poll = LongPoll(pubnub)
    try:
        envelope = await poll(pubnub).future()
        assert not envelope.status.is_error()
        body = await long_poll.get(poll(pubnub), timeout=10)
    finally:
        await long_poll.close()
        await pubnub.stop()
    assert body == envelope.result
    sdk, ours = SEEN
    assert comparable(ours) == comparable(sdk)
    assert ours["query"]["auth"] == "tok-x" and ours["query"]["tt"] == "17000000000000000"


async def test_a_refusal_reads_as_the_sdks_does(server: tuple[str, dict[str, str]]) -> None:
    pubnub = client(server[0])
    long_poll = LongPoll(pubnub)
    server[1]["answer"] = "refused"
    try:
        envelope = await poll(pubnub).future()
        with pytest.raises(LinkRequestError) as refused:
            await long_poll.get(poll(pubnub), timeout=10)
    finally:
        await long_poll.close()
        await pubnub.stop()
    expected = LinkRequestError(envelope.status)
    assert refused.value.status_code == expected.status_code == 403
    assert str(refused.value) == str(expected)


async def test_an_unreachable_server_is_a_link_error_and_a_silent_one_a_timeout() -> None:
    mute = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)  # never answers
    port = mute.sockets[0].getsockname()[1]
    gone, silent = client("127.0.0.1:9"), client(f"127.0.0.1:{port}")  # 9: nothing listens
    polls = LongPoll(gone), LongPoll(silent)
    try:
        with pytest.raises(LinkRequestError):
            await polls[0].get(poll(gone), timeout=10)
        with pytest.raises(asyncio.TimeoutError):
            await polls[1].get(poll(silent), timeout=0.3)
    finally:
        mute.close()
        for each in polls:
            await each.close()
        for pubnub in (gone, silent):
            await pubnub.stop()


def test_the_environments_proxy_is_used_unless_no_proxy_exempts_the_origin(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from suppgram_tui.link.long_poll import _env_proxy

    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert _env_proxy("https", "ps.pndsn.com") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert _env_proxy("https", "ps.pndsn.com") == "http://proxy.example:3128"
    assert _env_proxy("http", "127.0.0.1:8090") is None
    monkeypatch.setenv("NO_PROXY", "pndsn.com")
    assert _env_proxy("https", "ps.pndsn.com") is None
