"""Access Manager v3 on the local server, through the official SDK and by hand."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group
from pubnub.models.consumer.v3.uuid import UUID
from yarl import URL

from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.local_pubnub.access import tokens
from suppgram_tui.local_pubnub.access.signatures import sign_v2
from suppgram_tui.local_pubnub.access.tokens import Token
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

SECRET = "s3cret-key"
GROUP = "support"
KEYSETS = {SUBSCRIBE_KEY: PUBLISH_KEY, "sub-c-js": "pub-c-js"}
"""The publish key of each keyset, as an operator gives them (`serve --keyset`)."""


class ShiftedClock:
    """The server's wall clock, movable so tokens expire without waiting a minute."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def local_server(clock: ShiftedClock) -> AsyncIterator[LocalPubNub]:
    """Overrides the shared server: this one enforces Access Manager."""
    async with LocalPubNub(secret_key=SECRET, poll_timeout=2.0, wall_clock=clock,
                           keysets=KEYSETS) as server:
        yield server


def error_of(envelope: Any) -> tuple[int, Any]:
    assert envelope.status.is_error(), "expected the call to fail"
    return envelope.status.status_code, envelope.status.original_response


def ok(envelope: Any) -> Any:
    assert not envelope.status.is_error(), envelope.status.original_response
    return envelope.result


def message(text: str) -> dict[str, str]:
    return {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": text}


async def grant(admin: Any, *, ttl: int = 15, uuid: str | None = None,
                channels: list[Channel] = (), groups: list[Group] = (),  # type: ignore[assignment]
                uuids: list[UUID] = ()) -> str:  # type: ignore[assignment]
    builder = admin.grant_token().ttl(ttl).channels(list(channels)).groups(list(groups)) \
        .uuids(list(uuids))
    if uuid is not None:
        builder = builder.authorized_uuid(uuid)
    return ok(await builder.future()).token


async def raw_get(server: LocalPubNub, path: str,
                  params: dict[str, str]) -> tuple[int, Any, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + path, params=params) as response:
            return response.status, await response.json(content_type=None), response.headers


def signed(method: str, path: str, params: dict[str, str], *, at: float | None = None,
           secret: str = SECRET) -> dict[str, str]:
    """`params` plus the timestamp and v2 signature an admin SDK would add."""
    params = {**params, "timestamp": str(int(at if at is not None else time.time()))}
    return {**params, "signature": sign_v2(secret, method, PUBLISH_KEY, path, params)}


async def test_customer_token_reaches_only_its_own_channel(make_client, local_server):
    admin = make_client("support", secret_key=SECRET)
    own, other = "cust-1-support", "cust-2-support"
    ok(await admin.add_channel_to_channel_group().channels([own, other])
       .channel_group(GROUP).future())
    token = await grant(admin, uuid="cust-1", channels=[Channel.id(own).read().write()])
    customer = make_client("cust-1", token=token)

    inbox = Recorder()
    customer.add_listener(inbox)
    customer.subscribe().channels([own]).execute()
    await wait_until(lambda: inbox.connected)
    await asyncio.sleep(0.1)
    ok(await customer.publish().channel(own).message(message("mine")).future())
    ok(await admin.publish().channel(own).message(message("reply")).future())
    await wait_until(lambda: len(inbox.messages) == 2)
    fetched = ok(await customer.fetch_messages().channels([own]).future())
    assert [m.message["text"] for m in fetched.channels[own]] == ["mine", "reply"]

    status, body = error_of(await customer.publish().channel(other).message(message("x"))
                            .future())
    assert status == 403
    assert body == {"message": "Forbidden", "payload": {"channels": [other]}, "error": True,
                    "service": "Access Manager", "status": 403}
    status, body = error_of(await customer.fetch_messages().channels([own, other]).future())
    assert (status, body["payload"]) == (403, {"channels": [other]})
    status, body = error_of(await customer.list_channels_in_channel_group()
                            .channel_group(GROUP).future())
    assert (status, body["payload"]) == (403, {"channel-groups": [GROUP]})
    status, body, headers = await raw_get(
        local_server, f"/v2/subscribe/{SUBSCRIBE_KEY}/,/0",
        {"tt": "0", "channel-group": GROUP, "uuid": "cust-1", "auth": token})
    assert (status, body["payload"]) == (403, {"channel-groups": [GROUP]})
    assert headers["X-Pn-Cause"] == "9999"
    status, body = error_of(await make_client("cust-1").publish().channel(own)
                            .message(message("no token")).future())
    assert (status, body["payload"]) == (403, {"channels": [own]})


async def test_secret_key_client_can_do_everything(make_client):
    admin = make_client("support", secret_key=SECRET)
    channel = "cust-3-support"
    ok(await admin.add_channel_to_channel_group().channels([channel]).channel_group(GROUP)
       .future())
    listed = ok(await admin.list_channels_in_channel_group().channel_group(GROUP).future())
    assert listed.channels == [channel]
    inbox = Recorder()
    admin.add_listener(inbox)
    admin.subscribe().channel_groups([GROUP]).with_presence().execute()
    await wait_until(lambda: inbox.connected)
    await asyncio.sleep(0.1)
    ok(await admin.publish().channel(channel).message(message("post")).use_post(True).future())
    ok(await admin.signal().channel(channel).message("typing").future())
    await wait_until(lambda: inbox.messages and inbox.signals)
    fetched = ok(await admin.fetch_messages().channels([channel]).include_meta(True).future())
    assert fetched.channels[channel][0].message["text"] == "post"
    token = await grant(admin, channels=[Channel.id(channel).read()])
    ok(await admin.revoke_token(token).future())
    ok(await admin.remove_channel_from_channel_group().channels([channel])
       .channel_group(GROUP).future())


async def test_parse_token_reads_our_tokens(make_client):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, ttl=90, uuid="cust-4", channels=[
        Channel.id("cust-4-support").read().write(), Channel.pattern("^cust-4-.*$").read()],
        groups=[Group.id(GROUP).read()], uuids=[UUID.id("cust-4").get().update()])
    assert len(token) % 4 == 0 and "+" not in token and "/" not in token
    parsed = admin.parse_token(token)
    assert parsed["version"] == 2 and parsed["ttl"] == 90
    assert abs(parsed["timestamp"] - time.time()) < 5
    assert parsed["authorized_uuid"] == "cust-4"
    assert parsed["meta"] == {}
    channel = parsed["resources"]["channels"]["cust-4-support"]
    assert channel["read"] and channel["write"] and not channel["manage"]
    assert parsed["patterns"]["channels"]["^cust-4-.*$"]["read"]
    assert parsed["resources"]["groups"][GROUP]["read"]
    assert parsed["resources"]["uuids"]["cust-4"]["update"]


async def test_grant_validates_ttl_like_pubnub(make_client):
    admin = make_client("support", secret_key=SECRET)
    status, body = error_of(await admin.grant_token().ttl(43_201)
                            .channels([Channel.id("c").read()]).future())
    assert status == 400
    assert body == {"status": 400, "service": "Access Manager", "error": {
        "message": "Invalid ttl", "source": "grant", "details": [{
            "message": "Range should be 1 to 43200 minute(s).", "location": "ttl",
            "locationType": "body"}]}}


async def test_expired_token_is_refused(make_client, local_server, clock):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, ttl=1, channels=[Channel.id("cust-5-support").write()])
    customer = make_client("cust-5", token=token)
    ok(await customer.publish().channel("cust-5-support").message(message("in time")).future())
    clock.offset = 61
    status, body = error_of(await customer.publish().channel("cust-5-support")
                            .message(message("too late")).future())
    assert (status, body["message"]) == (403, "Token is expired")
    path = f"/v3/pam/{SUBSCRIBE_KEY}/grant/{quote(token, safe='')}"
    async with aiohttp.ClientSession() as http:
        url = URL(local_server.url + path, encoded=True)
        params = signed("DELETE", path, {"uuid": "support"}, at=clock())
        async with http.delete(url.with_query(params)) as response:
            assert response.status == 400
            body = await response.json(content_type=None)
    assert body["error"]["details"][0]["message"] == "Token is expired."


async def test_revoked_token_is_refused_even_after_a_restart(tmp_path, make_client):
    data = str(tmp_path / "server.sqlite")
    async with LocalPubNub(secret_key=SECRET, data_path=data, keysets=KEYSETS) as first:
        admin = make_client("support", secret_key=SECRET, origin=first.origin)
        token = await grant(admin, channels=[Channel.id("cust-6-support").read().write()])
        customer = make_client("cust-6", token=token, origin=first.origin)
        ok(await customer.publish().channel("cust-6-support").message(message("a")).future())
        ok(await admin.revoke_token(token).future())
        status, body = error_of(await customer.publish().channel("cust-6-support")
                                .message(message("b")).future())
        assert status == 403
        assert body == {"message": "Token is revoked", "error": True,
                        "service": "Access Manager", "status": 403}
    async with LocalPubNub(secret_key=SECRET, data_path=data, keysets=KEYSETS) as second:
        status, body, headers = await raw_get(
            second, f"/v3/history/sub-key/{SUBSCRIBE_KEY}/channel/cust-6-support",
            {"uuid": "cust-6", "auth": token})
        assert (status, body["message"], headers["X-Pn-Cause"]) == (403, "Token is revoked",
                                                                    "4001")


async def test_bad_signature_and_forged_token_are_refused(make_client, local_server):
    forger = make_client("support", secret_key="not-the-secret")
    status, body = error_of(await forger.publish().channel("cust-7-support")
                            .message(message("forged")).future())
    assert (status, body["message"]) == (403, "Invalid Signature")
    status, _ = error_of(await forger.grant_token().ttl(5)
                         .channels([Channel.id("cust-7-support").write()]).future())
    assert status == 403
    forged = tokens.issue("not-the-secret", SUBSCRIBE_KEY, Token(
        issued=int(time.time()), ttl=60, resources={"chan": {"cust-7-support": 3}}, patterns={}))
    status, body = error_of(await make_client("cust-7", token=forged).publish()
                            .channel("cust-7-support").message(message("forged")).future())
    assert (status, body["message"]) == (403, "Token signature is invalid")

    path = f"/v3/history/sub-key/{SUBSCRIBE_KEY}/channel/cust-7-support"
    params = signed("GET", path, {"uuid": "support"})
    status, _, _ = await raw_get(local_server, path, params)
    assert status == 200
    tampered = {**params, "uuid": "someone-else"}
    status, body, _ = await raw_get(local_server, path, tampered)
    assert (status, body["message"]) == (403, "Invalid Signature")
    status, body, _ = await raw_get(local_server, path,
                                    {"uuid": "cust-7", "auth": "qEF2AkF0GmeGO7JD"})
    assert (status, body["message"]) == (403, "Token is malformed")


async def test_stale_timestamp_is_refused(make_client, local_server, clock):
    path = f"/v3/history/sub-key/{SUBSCRIBE_KEY}/channel/cust-8-support"
    stale = signed("GET", path, {"uuid": "support"}, at=time.time() - 120)
    status, body, _ = await raw_get(local_server, path, stale)
    assert (status, body["message"]) == (400, "Invalid Timestamp")
    admin = make_client("support", secret_key=SECRET)
    clock.offset = 30  # within PubNub's 60 s
    ok(await admin.publish().channel("cust-8-support").message(message("ok")).future())
    clock.offset = 120
    status, body = error_of(await admin.publish().channel("cust-8-support")
                            .message(message("late")).future())
    assert (status, body["message"]) == (400, "Invalid Timestamp")


async def test_token_is_bound_to_its_authorized_uuid(make_client):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, uuid="cust-9", channels=[Channel.id("cust-9-support").write()])
    ok(await make_client("cust-9", token=token).publish().channel("cust-9-support")
       .message(message("mine")).future())
    status, _ = error_of(await make_client("thief", token=token).publish()
                         .channel("cust-9-support").message(message("stolen")).future())
    assert status == 403
    unbound = await grant(admin, channels=[Channel.id("cust-9-support").write()])
    ok(await make_client("anyone", token=unbound).publish().channel("cust-9-support")
       .message(message("shared")).future())


async def test_pattern_grants_match_whole_names(make_client):
    admin = make_client("support", secret_key=SECRET)
    token = await grant(admin, channels=[Channel.pattern("cust-[0-9]+-support").read().write(),
                                         Channel.pattern("^room-1").read()])
    customer = make_client("cust-10", token=token)
    ok(await customer.publish().channel("cust-10-support").message(message("a")).future())
    ok(await customer.fetch_messages().channels(["cust-11-support", "room-1"]).future())
    status, body = error_of(await customer.publish().channel("cust-10-support-x")
                            .message(message("b")).future())
    assert (status, body["payload"]) == (403, {"channels": ["cust-10-support-x"]})
    status, body = error_of(await customer.fetch_messages().channels(["room-10"]).future())
    assert (status, body["payload"]) == (403, {"channels": ["room-10"]})
    status, _ = error_of(await customer.publish().channel("room-1").message(message("c"))
                         .future())
    assert status == 403  # the pattern grants read only


async def test_presence_subscription_needs_read_on_the_channel_or_its_pnpres(make_client,
                                                                           local_server):
    admin = make_client("support", secret_key=SECRET)
    ok(await admin.add_channel_to_channel_group().channels(["cust-12-support"])
       .channel_group(GROUP).future())
    base = await grant(admin, channels=[Channel.id("cust-12-support").read()],
                       groups=[Group.id(GROUP).read()])
    explicit = await grant(admin, channels=[Channel.id("cust-13-support-pnpres").read()])
    path = f"/v2/subscribe/{SUBSCRIBE_KEY}/{{}}/0"
    handshake = {"tt": "0", "uuid": "agent"}
    cases = [
        (base, "cust-12-support,cust-12-support-pnpres", {}, 200),
        (base, ",", {"channel-group": f"{GROUP},{GROUP}-pnpres"}, 200),
        (explicit, "cust-13-support-pnpres", {}, 200),
        (explicit, "cust-13-support", {}, 403),
        (base, "cust-13-support-pnpres", {}, 403),
    ]
    for token, channels, extra, expected in cases:
        status, _, _ = await raw_get(local_server, path.format(channels),
                                     {**handshake, **extra, "auth": token})
        assert status == expected, (channels, extra)


async def test_unsigned_grant_is_refused(local_server):
    path = f"/v3/pam/{SUBSCRIBE_KEY}/grant"
    async with aiohttp.ClientSession() as http:
        async with http.post(local_server.url + path, params={"uuid": "x"},
                             json={"ttl": 5, "permissions": {}}) as response:
            assert response.status == 403
            assert (await response.json(content_type=None))["service"] == "Access Manager"


async def test_without_a_secret_key_everything_is_open(make_client):
    async with LocalPubNub(poll_timeout=2.0) as open_server:
        anyone = make_client("cust-14", origin=open_server.origin)
        ok(await anyone.publish().channel("cust-14-support").message(message("hi")).future())
        ok(await anyone.fetch_messages().channels(["cust-14-support"]).future())
        ok(await anyone.add_channel_to_channel_group().channels(["cust-14-support"])
           .channel_group(GROUP).future())
        signer = make_client("support", secret_key="whatever", origin=open_server.origin)
        ok(await signer.publish().channel("cust-14-support").message(message("yo")).future())
        status, body = error_of(await signer.grant_token().ttl(5)
                                .channels([Channel.id("c").read()]).future())
        assert status == 400
        assert "--secret-key" in body["error"]["message"]


JS_SCRIPT = """
import PubNub from 'pubnub';
const [origin, secret] = process.argv.slice(1);
const make = (userId, secretKey) => new PubNub({origin, ssl: false, subscribeKey: 'sub-c-js',
  publishKey: 'pub-c-js', userId, secretKey});
const outcome = async (promise) => {
  try { await promise; return 200; } catch (e) { return e.status?.statusCode ?? String(e); }
};
const admin = make('support', secret);
const results = {
  get: await outcome(admin.publish({channel: 'cust-1-support', message: {t: 1}})),
  post: await outcome(admin.publish({channel: 'cust-1-support', message: {t: 2},
                                     sendByPost: true})),
  group: await outcome(admin.channelGroups.addChannels({channels: ['cust-1-support'],
                                                        channelGroup: 'support'})),
};
const token = await admin.grantToken({ttl: 15, authorized_uuid: 'cust-1',
  resources: {channels: {'cust-1-support': {read: true, write: true}}}});
results.parsed = admin.parseToken(token).authorized_uuid;
const customer = make('cust-1');
customer.setToken(token);
results.own = await outcome(customer.publish({channel: 'cust-1-support', message: 'hi'}));
results.other = await outcome(customer.publish({channel: 'cust-2-support', message: 'hi'}));
results.revoke = await outcome(admin.revokeToken(token));
results.revoked = await outcome(customer.publish({channel: 'cust-1-support', message: 'hi'}));
console.log(JSON.stringify(results));
process.exit(0);
"""


async def test_javascript_sdk_signs_and_uses_tokens(local_server, js_sdk):
    process = await asyncio.create_subprocess_exec(
        "node", "--input-type=module", "-e", JS_SCRIPT, local_server.origin, SECRET,
        cwd=js_sdk, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    results = json.loads(out.decode().strip().splitlines()[-1])
    assert results == {"get": 200, "post": 200, "group": 200, "parsed": "cust-1", "own": 200,
                       "other": 403, "revoke": 200, "revoked": 403}
