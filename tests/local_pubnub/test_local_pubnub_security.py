"""Issue 11's Access Manager holes, each tried the way an attacker would: the official
SDK where it can say it, hand-built URLs where the attack needs them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from pubnub.models.consumer.v3.category import Category
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.uuid import UUID
from yarl import URL

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.server_process import LISTENING, free_port

SECRET = "s3cret-key"
ATTACK_LIKE = "'*a*a*a*a*a*a*a'"
"""Compiled to `.*a.*a.*a.*a.*a.*a.*a`, it backtracks for seconds over `a` * 60 + `b`."""
ALMOST = "a" * 60 + "b"


@pytest.fixture
async def local_server() -> AsyncIterator[LocalPubNub]:
    """Overrides the shared server: this one enforces Access Manager. No publish key is
    given, so the usual pairing (`sub-c-test` → `pub-c-test`) is what signers use."""
    async with LocalPubNub(secret_key=SECRET, poll_timeout=2.0) as server:
        yield server


def ok(envelope: Any) -> Any:
    assert not envelope.status.is_error(), envelope.status.original_response
    return envelope.result


def error_of(envelope: Any) -> tuple[int, Any]:
    assert envelope.status.is_error(), "expected the call to fail"
    return envelope.status.status_code, envelope.status.original_response


async def grant(admin: Any, **parts: Any) -> str:
    builder = admin.grant_token().ttl(15)
    for name, value in parts.items():
        builder = getattr(builder, name)(value)
    return ok(await builder.future()).token


async def send(server: LocalPubNub, method: str, path: str, query: str | list[Any],
               body: bytes | None = None) -> tuple[int, Any]:
    """One request; a `str` query goes on the wire exactly as written."""
    async with aiohttp.ClientSession() as http:
        if isinstance(query, str):
            url, params = URL(f"{server.url}{path}?{query}", encoded=True), None
        else:
            url, params = URL(server.url + path), query
        async with http.request(method, url, params=params, data=body) as response:
            return response.status, await response.json(content_type=None)


def canonical(pairs: list[tuple[str, str]]) -> str:
    """The sorted, percent-encoded query a signature covers (reference §11.5)."""
    return "&".join(f"{k}={quote(v, safe='').replace('~', '%7E')}" for k, v in sorted(pairs))


def hmac64(text: str) -> str:
    digest = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def published(text: str) -> str:
    return quote(json.dumps({"text": text}), safe="")


async def clock_latency_during(server: LocalPubNub, work: Awaitable[Any]) -> tuple[float, float]:
    """(seconds `work` took, seconds `/time/0` took to answer when asked 0.15 s into it).

    Counted from when it was due, not when the thread got to send it: work that holds
    the GIL (a backtracking regex) delays the asking too.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    due = time.monotonic() + 0.15

    def probe() -> float:
        time.sleep(0.15)
        opener.open(f"{server.url}/time/0", timeout=120).read()
        return time.monotonic() - due

    probing = asyncio.ensure_future(asyncio.to_thread(probe))
    started = time.monotonic()
    await work
    elapsed = time.monotonic() - started
    return elapsed, await probing


# item 3: one uuid, decoded as the SDK means it ------------------------------------


async def test_a_second_uuid_cannot_borrow_the_support_users_identity(make_client,
                                                                      local_server):
    admin = make_client("support", secret_key=SECRET)
    channel = "cust-3-support"
    token = await grant(admin, authorized_uuid="cust-3",
                        channels=[Channel.id(channel).read().write()])
    path = f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/{channel}/0/{published('resolved')}"
    for uuids in (["support", "cust-3"], ["cust-3", "support"]):
        status, body = await send(local_server, "GET", path,
                                  [("uuid", uuid) for uuid in uuids] + [("auth", token)])
        assert status == 400, body
        assert (body["status"], body["service"], body["error"]) == (400, "Access Manager",
                                                                    True)
        assert "uuid" in body["message"]
    fetched = ok(await admin.fetch_messages().channels([channel]).include_uuid(True).future())
    assert fetched.channels.get(channel, []) == []


async def test_repeated_access_parameters_are_refused(make_client, local_server):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, authorized_uuid="cust-3",
                        channels=[Channel.id("cust-3-support").read()])
    path = f"/v3/history/sub-key/{SUBSCRIBE_KEY}/channel/cust-3-support"
    base = [("uuid", "cust-3"), ("auth", token)]
    for extra in ([("auth", token)], [("channel-group", "a"), ("channel-group", "b")],
                  [("timestamp", "1"), ("timestamp", "2")]):
        status, body = await send(local_server, "GET", path, base + extra)
        assert status == 400, (extra, body)
        assert body["service"] == "Access Manager"
    # Signed, any parameter counts: the signature sorts `max=25&max=1` and `max=1&max=25`
    # alike, so a reordered copy would make the handler read another value.
    pairs = [("uuid", "support"), ("timestamp", str(int(time.time()))), ("max", "25"),
             ("max", "1")]
    signature = "v2." + hmac64(f"GET\n{PUBLISH_KEY}\n{path}\n{canonical(pairs)}\n").rstrip("=")
    status, body = await send(local_server, "GET", path, pairs + [("signature", signature)])
    assert status == 400, body
    assert "max" in body["message"]


async def test_a_plus_in_a_uuid_is_a_plus_for_the_check_and_the_handler(make_client,
                                                                      local_server):
    admin = make_client("support", secret_key=SECRET)
    channel = "cust-plus-support"
    token = await grant(admin, authorized_uuid="x+y",
                        channels=[Channel.id(channel).read().write()])
    customer = make_client("x+y", token=token)  # the SDK sends the uuid unencoded
    ok(await customer.publish().channel(channel).message({"text": "hi"}).future())
    fetched = ok(await admin.fetch_messages().channels([channel]).include_uuid(True).future())
    assert [item.uuid for item in fetched.channels[channel]] == ["x+y"]

    spaced = await grant(admin, authorized_uuid="x y", channels=[Channel.id(channel).write()])
    path = f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/{channel}/0/{published('as x y')}"
    status, body = await send(local_server, "GET", path, f"uuid=x+y&auth={spaced}")
    assert (status, body["message"]) == (403, "Forbidden: token is authorized for another uuid")
    status, _ = await send(local_server, "GET", path, f"uuid=x%20y&auth={spaced}")
    assert status == 200


# item 2: wildcards and pattern grants in linear time ------------------------------


async def test_like_wildcards_answer_at_once_and_the_server_stays_responsive(make_client):
    async with LocalPubNub(poll_timeout=2.0) as server:
        client = make_client("support", origin=server.origin)
        ok(await client.set_channel_metadata().channel("suppgram-state.c").set_name(ALMOST)
           .future())
        listing = send(server, "GET", f"/v2/objects/{SUBSCRIBE_KEY}/channels",
                       [("uuid", "support"), ("filter", f"name LIKE {ATTACK_LIKE}")])
        elapsed, latency = await clock_latency_during(server, listing)
        assert elapsed < 1.0 and latency < 1.0, (elapsed, latency)

        channel = "cust-2-support"
        path = f"/v2/subscribe/{SUBSCRIBE_KEY}/{channel}/0"
        status, handshake = await send(server, "GET", path, [("uuid", "u"), ("tt", "0")])
        assert status == 200
        ok(await client.publish().channel(channel).message("slow").meta({"n": ALMOST})
           .future())
        ok(await client.publish().channel(channel).message("fast").meta({"n": "a" * 7})
           .future())
        poll = send(server, "GET", path, [
            ("uuid", "u"), ("tt", handshake["t"]["t"]), ("tr", str(handshake["t"]["r"])),
            ("filter-expr", f"meta.n LIKE {ATTACK_LIKE}")])
        elapsed, latency = await clock_latency_during(server, poll)
        assert elapsed < 1.0 and latency < 1.0, (elapsed, latency)


async def test_a_backtracking_pattern_grant_is_matched_in_linear_time(make_client,
                                                                      local_server):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, channels=[Channel.pattern(r"(\w+)+-support").write()])
    customer = make_client("cust-2", token=token)
    ok(await customer.publish().channel("cust2-support").message("fits").future())
    attempt = customer.publish().channel("a" * 27).message("x").future()
    started = time.monotonic()
    status, body = error_of(await attempt)
    assert time.monotonic() - started < 1.0
    assert (status, body["payload"]) == (403, {"channels": ["a" * 27]})
    status, body = error_of(await admin.grant_token().ttl(5)
                            .channels([Channel.pattern(r"(a)\1").read()]).future())
    assert status == 400
    assert body["error"]["details"][0]["message"] == "groupref is not allowed in a pattern grant"


# item 9: publish keys from the operator or the path, never learned ------------------


async def test_junk_publish_keys_do_not_lock_out_the_secret_key_holder(make_client,
                                                                       local_server):
    for junk in range(40):
        status, _ = await send(local_server, "GET",
                               f"/publish/junk-{junk}/sub-c-nine/0/c/0/%22x%22", "uuid=m")
        assert status == 403
    admin = make_client("support", secret_key=SECRET, subscribe_key="sub-c-nine",
                        publish_key="pub-c-not-paired")
    ok(await admin.publish().channel("cust-9-support").message("still mine").future())
    ok(await admin.publish().channel("cust-9-support").message("by post").use_post(True)
       .future())
    # An unauthenticated request taught the old server its publish key; not any more.
    status, body = error_of(await make_client(
        "support", secret_key=SECRET, subscribe_key="sub-c-nine", publish_key="junk-1")
        .list_channels_in_channel_group().channel_group("g").future())
    assert (status, body["message"]) == (403, "Invalid Signature")


async def test_operator_given_publish_keys_sign_calls_before_any_publish(make_client):
    keysets = {"sub-c-nine": "pub-c-not-paired"}
    async with LocalPubNub(secret_key=SECRET, keysets=keysets,
                           publish_key="pub-c-any") as server:
        def admin(sub: str, pub: str) -> Any:
            return make_client("support", secret_key=SECRET, subscribe_key=sub,
                               publish_key=pub, origin=server.origin)
        ok(await admin("sub-c-nine", "pub-c-not-paired").add_channel_to_channel_group()
           .channels(["c"]).channel_group("g").future())
        await grant(admin("sub-c-nine", "pub-c-not-paired"), channels=[Channel.id("c").read()])
        await grant(admin("sub-c-else", "pub-c-any"), channels=[Channel.id("c").read()])
        status, body = error_of(await admin("sub-c-nine", "pub-c-nine").grant_token().ttl(5)
                                .channels([Channel.id("c").read()]).future())
        assert (status, body["message"]) == (403, "Invalid Signature")


async def test_serve_takes_publish_keys_from_the_command_line(make_client, tmp_path):
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "suppgram_tui", "serve", "--port", str(port),
        "--keyset", "pub-c-not-paired:sub-c-nine", "--publish-key", "pub-c-any",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
        env={**os.environ, "LOCAL_PUBNUB_SECRET_KEY": SECRET, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        output = b""
        while LISTENING not in output:
            line = await asyncio.wait_for(process.stdout.readline(), 20)
            assert line, f"serve exited: {output.decode()}"
            output += line
        for sub, pub in (("sub-c-nine", "pub-c-not-paired"), ("sub-c-else", "pub-c-any")):
            admin = make_client("support", secret_key=SECRET, subscribe_key=sub,
                                publish_key=pub, origin=f"127.0.0.1:{port}")
            await grant(admin, channels=[Channel.id("c").read()])
    finally:
        process.kill()
        await process.wait()


# item 11: a token is for the keyset that granted it ---------------------------------


async def test_a_token_works_only_on_the_keyset_that_granted_it(make_client, local_server):
    admin = make_client("support", secret_key=SECRET)
    channel = "cust-11-support"
    token = await grant(admin, channels=[Channel.id(channel).read().write()])
    ok(await make_client("cust-11", token=token).publish().channel(channel).message("here")
       .future())
    elsewhere = make_client("cust-11", token=token, subscribe_key="sub-c-other",
                            publish_key="pub-c-other")
    status, body = error_of(await elsewhere.publish().channel(channel).message("there")
                            .future())
    assert (status, body["message"]) == (403, "Token signature is invalid")


# item 12: listing App Context needs the list grant ----------------------------------


async def test_listing_app_context_needs_the_category_grant(make_client, local_server):
    admin = make_client("support", secret_key=SECRET)
    state = "suppgram-state.cust-12-support"
    ok(await admin.set_channel_metadata().channel(state)
       .custom({"assignee": "ann", "tags": "vip"}).future())
    customer_token = await grant(
        admin, authorized_uuid="cust-12", uuids=[UUID.id("cust-12").get().update()],
        channels=[Channel.id("cust-12-support").read().write().join()])
    customer = make_client("cust-12", token=customer_token)
    status, body = error_of(await customer.get_all_channel_metadata().include_custom(True)
                            .future())
    assert (status, body["payload"]) == (403, {"categories": ["channels"]})
    status, _ = error_of(await customer.get_all_uuid_metadata().future())
    assert status == 403

    lister_token = await grant(admin, categories=[Category.channels().get()])
    listed = ok(await make_client("agent", token=lister_token).get_all_channel_metadata()
                .include_custom(True).future())
    assert [item["id"] for item in listed.data] == [state]


async def test_pubnubs_default_of_open_listing_is_an_option(make_client):
    async with LocalPubNub(secret_key=SECRET, get_all_metadata_open=True) as server:
        admin = make_client("support", secret_key=SECRET, origin=server.origin)
        token = await grant(admin, channels=[Channel.id("cust-12-support").read()])
        ok(await make_client("cust-12", token=token, origin=server.origin)
           .get_all_channel_metadata().future())


# item 13: what a signature covers ---------------------------------------------------


async def test_a_signature_that_skips_the_body_cannot_carry_another_body(make_client,
                                                                         local_server):
    channel = "cust-13-support"
    path = f"/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/{channel}/0"
    pairs = [("uuid", "support"), ("timestamp", str(int(time.time()))), ("seqn", "1")]
    query = canonical(pairs)
    forms = {  # what each official SDK signs for a POST publish
        "python v1": hmac64(f"{SUBSCRIBE_KEY}\n{PUBLISH_KEY}\n{path}\n{query}"),
        "js v2": "v2." + hmac64(f"GET\n{PUBLISH_KEY}\n{path}\n{query}\n").rstrip("="),
    }
    for form, signature in forms.items():
        signed = pairs + [("signature", signature)]
        mine = json.dumps({"text": f"sent by {form}"}).encode()
        status, _ = await send(local_server, "POST", path, signed, mine)
        assert status == 200, form
        status, _ = await send(local_server, "POST", path, signed, mine)  # a retry
        assert status == 200, form
        forged = json.dumps({"text": "resolved by mallory"}).encode()
        status, body = await send(local_server, "POST", path, signed, forged)
        assert status == 403, (form, body)
        assert body["service"] == "Access Manager"
    admin = make_client("support", secret_key=SECRET)
    fetched = ok(await admin.fetch_messages().channels([channel]).future())
    texts = [item.message["text"] for item in fetched.channels[channel]]
    assert "resolved by mallory" not in texts and "sent by js v2" in texts

    # A v2 signature over the body itself covers it: nothing to bind.
    body = json.dumps({"text": "covered"}).encode()
    covered = "v2." + hmac64(f"POST\n{PUBLISH_KEY}\n{path}\n{query}\n{body.decode()}")
    status, _ = await send(local_server, "POST", path,
                           pairs + [("signature", covered.rstrip("="))], body)
    assert status == 200
    # Nothing else accepts a signature made as if the request were a bodiless GET.
    tt = ok(await admin.publish().channel(channel).message("x").future()).timetoken
    action_path = f"/v1/message-actions/{SUBSCRIBE_KEY}/channel/{channel}/message/{tt}"
    as_get = "v2." + hmac64(f"GET\n{PUBLISH_KEY}\n{action_path}\n{query}\n").rstrip("=")
    status, _ = await send(local_server, "POST", action_path,
                           pairs + [("signature", as_get)],
                           json.dumps({"type": "receipt", "value": "read"}).encode())
    assert status == 403
