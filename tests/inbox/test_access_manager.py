"""The inbox with an Access Manager token that lacks permissions, and with keys PubNub
rejects: each problem is a sentence naming the permission and the resource, the console
degrades where it can, and rejected keys stop it at start (issue 13 items 10-12)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group

from suppgram_tui.inbox import ConversationAction, Notice
from suppgram_tui.link.console_token import ConsoleGrant, grant_console_token
from suppgram_tui.link.errors import KeysRejected
from suppgram_tui.link.sdk import call
from tests.helpers.inbox_harness import InboxHarness, customer_payload, link_settings
from tests.helpers.wait import wait_until

from .conftest import PAM_SECRET


@pytest.fixture
async def pam_server(pam_server):
    """The shared one, with a customer's first message in c1-support."""
    await call(pam_server.admin.publish().channel("c1-support")
               .message(customer_payload("hi")))
    return pam_server


async def token(server, request) -> str:
    return (await call(request(server.admin.grant_token().ttl(10)
                               .authorized_uuid("support")))).token


async def harness_with(server, tmp_path, **link) -> InboxHarness:
    return InboxHarness(server.origin, tmp_path / "ann.json", "ann",
                        settings=replace(link_settings(server.origin), **link))


def notices(harness: InboxHarness) -> list[str]:
    return [event.text for event in harness.events if isinstance(event, Notice)]


async def test_a_suppgram_token_degrades_in_words_and_still_receives(pam_server, tmp_path):
    """Suppgram's own token (group read; channel read/write/join) lacks manage on the
    group and everything App Context: said so, conversations come as customers write."""
    suppgram = await token(pam_server, lambda grant: grant
                           .groups([Group.id("support").read()])
                           .channels([Channel.pattern(".*").read().write().join()]))
    harness = await harness_with(pam_server, tmp_path, token=suppgram)
    await harness.start()
    try:
        said = notices(harness)
        assert any(text.startswith("Channel group support cannot be listed: Access Manager "
                                   "denied manage on channel group support.") for text in said)
        assert any(text.startswith("Local-only state: Access Manager denied get on App "
                                   "Context's channels category") for text in said)
        assert not any("{" in text for text in said), said  # never a Python dict
        assert "Local-only state" in " ".join(harness.inbox.status().notes)
        await call(pam_server.admin.publish().channel("c1-support")
                   .message(customer_payload("still there?")))
        await wait_until(lambda: "still there?" in harness.texts("c1-support"))
    finally:
        await harness.stop()


async def test_a_token_without_read_on_the_group_cannot_work_and_says_so(pam_server,
                                                                         tmp_path):
    listing_only = await token(pam_server, lambda grant: grant
                               .groups([Group.id("support").manage()]))
    harness = await harness_with(pam_server, tmp_path, token=listing_only)
    with pytest.raises(KeysRejected) as rejected:
        await harness.inbox.start()
    assert str(rejected.value).startswith("Customer messages cannot arrive: Access Manager "
                                          "denied read on channel group support")
    await harness.stop()


async def test_without_state_permissions_a_claim_says_which_is_missing(pam_server, tmp_path):
    """Listing App Context allowed, but no update on suppgram-state.*: claims fail in words."""
    from pubnub.models.consumer.v3.category import Category

    partial = await token(pam_server, lambda grant: grant
                          .groups([Group.id("support").read().manage()])
                          .channels([Channel.pattern(".*").read().write().get()])
                          .categories([Category.channels().get()]))
    harness = await harness_with(pam_server, tmp_path, token=partial)
    await harness.start()
    try:
        assert "c1-support" in harness.inbox.conversations
        with pytest.raises(Exception) as refused:
            await harness.inbox.apply(ConversationAction.CLAIM, "c1-support")
        assert "Access Manager denied update on channel suppgram-state.c1-support" \
            in str(refused.value)
    finally:
        await harness.stop()


async def test_the_granted_console_token_needs_no_degrading(pam_server, tmp_path):
    settings = replace(link_settings(pam_server.origin), secret_key=PAM_SECRET)
    minted = await grant_console_token(settings, ConsoleGrant("support", ("support",)), 10)
    harness = await harness_with(pam_server, tmp_path, token=minted)
    await harness.start()
    try:
        assert notices(harness) == [] and harness.inbox.status().notes == ()
        assert harness.link.features.app_context and harness.link.features.presence
        await harness.inbox.apply(ConversationAction.CLAIM, "c1-support")
        assert harness.inbox.conversations["c1-support"].assignee == "ann"
    finally:
        await harness.stop()


@pytest.mark.parametrize(("link", "sentence"), [
    ({"secret_key": "not-it"}, "PUBNUB_SECRET_KEY is not this keyset's secret key "
                               "(PubNub answered 'Invalid Signature')."),
    ({"token": "qEF2AkF0GmZZ"}, "PUBNUB_TOKEN is not a token of this keyset"),
    ({}, "This keyset has Access Manager on: set PUBNUB_SECRET_KEY, or PUBNUB_TOKEN"),
])
async def test_rejected_keys_stop_the_start_with_one_sentence(pam_server, tmp_path, link,
                                                              sentence):
    harness = await harness_with(pam_server, tmp_path, **link)
    with pytest.raises(KeysRejected) as rejected:
        await harness.inbox.start()
    assert str(rejected.value).startswith(sentence)
    assert "not-it" not in str(rejected.value)
    await harness.stop()


async def test_a_reply_refused_403_fails_once_with_why_and_stays_failed_after_a_restart(
        pam_server, tmp_path):
    """Issue 13 item 13: no write on the customer's channel is permanent; it used to be
    retried forever, across restarts."""
    from pubnub.models.consumer.v3.category import Category

    from suppgram_tui.link.console_token import STATE_PATTERN
    from suppgram_tui.link.events import STATE_PREFIX
    from suppgram_tui.store.schema import OutboxState

    read_only = await token(pam_server, lambda grant: grant
                            .groups([Group.id("support").read().manage(),
                                     Group.id("support-pnpres").read()])
                            .channels([Channel.id("c1-support").read(),
                                       Channel.pattern(STATE_PATTERN).read().write().get()
                                       .update(),
                                       Channel.id(STATE_PREFIX + "*").read()])
                            .categories([Category.channels().get()]))
    harness = await harness_with(pam_server, tmp_path, token=read_only)
    await harness.start()
    try:
        entry = await harness.inbox.send_reply("c1-support", "We are on it.")
        client_id = entry.client_id
        assert client_id
        await wait_until(lambda: harness.store.outbox_entry(client_id).state
                         is OutboxState.FAILED)
        failed = harness.store.outbox_entry(client_id)
        assert failed.attempts == 1 and "403" in (failed.last_error or ""), failed
        assert "write" in failed.last_error and "c1-support" in failed.last_error, failed
    finally:
        await harness.stop()
    again = await harness_with(pam_server, tmp_path, token=read_only)
    await again.start()
    try:
        await wait_until(lambda: "c1-support" in again.inbox.conversations)
        await asyncio.sleep(1.0)  # the outbox's first round, were it to retry
        stored = again.store.outbox_entry(client_id)
        assert stored.state is OutboxState.FAILED and stored.attempts == 1, stored
        assert again.inbox.undelivered() == {"c1-support": 1}
    finally:
        await again.stop()
    history = await call(pam_server.admin.fetch_messages().channels(["c1-support"]))
    assert [m.message.get("text") for m in history.channels["c1-support"]] == ["hi"]
