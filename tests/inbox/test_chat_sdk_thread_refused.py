"""A thread the console's token may not read never quiets the conversations: the
subscribe that names it is refused, the thread is dropped, the groups go on (issue 14
item 7). Also: thread channel naming and membership events as the link reads them."""

from __future__ import annotations

from dataclasses import replace

from pubnub.models.consumer.message_actions import PNMessageAction
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.inbox import ConnectionStatus
from suppgram_tui.inbox.thread import thread_channel, thread_parent
from suppgram_tui.link.envelopes import decode_envelope
from suppgram_tui.link.events import MalformedEnvelope, MembershipChanged
from suppgram_tui.link.sdk import call
from suppgram_tui.model import ConnectionState
from tests.helpers.inbox_harness import InboxHarness, link_settings
from tests.helpers.wait import wait_until


def test_thread_channels_are_named_as_the_chat_sdk_names_them():
    name = thread_channel("direct.1_2", 17000000000000000)
    assert name == "PUBNUB_INTERNAL_THREAD_direct.1_2_17000000000000000"
    assert thread_parent(name) == ("direct.1_2", 17000000000000000)
    assert thread_parent("PUBNUB_INTERNAL_THREAD_x") is None
    assert thread_parent("direct.1_2") is None


def test_membership_events_carry_the_read_position():
    def envelope(event: str, data: dict) -> dict:
        return {"c": "direct.1", "e": 2, "p": {"t": "17000000000000001"}, "d": {
            "source": "objects", "version": "2.0", "event": event, "type": "membership",
            "data": data}}

    ids = {"channel": {"id": "direct.1"}, "uuid": {"id": "hana"}}
    read = decode_envelope(envelope("set", {
        **ids, "custom": {"lastReadMessageTimetoken": "17000000000000000"}}))
    assert read == MembershipChanged("direct.1", "hana", 17000000000000000)
    assert decode_envelope(envelope("set", ids)) == MembershipChanged(
        "direct.1", "hana", None, custom_sent=False)
    assert decode_envelope(envelope("delete", ids)).removed
    assert isinstance(decode_envelope(envelope("set", {"custom": {}})), MalformedEnvelope)



async def test_a_refused_thread_is_dropped_and_the_groups_go_on(pam_server, tmp_path):
    grant = pam_server.admin.grant_token().ttl(10).authorized_uuid("support") \
        .groups([Group.id("support").read().manage()]) \
        .channels([Channel.pattern("^c1-support$").read().write()])
    token = (await call(grant)).token
    harness = InboxHarness(pam_server.origin, tmp_path / "ann.json", "ann",
                           converter=ChatSdkConverter(),
                           settings=replace(link_settings(pam_server.origin), token=token))
    await harness.start()
    try:
        admin = pam_server.admin
        first = (await call(admin.publish().channel("c1-support")
                            .message({"type": "text", "text": "hi"}))).timetoken
        await wait_until(lambda: harness.texts("c1-support") == ["hi"])
        action = PNMessageAction()
        action.type, action.message_timetoken = "threadRootId", str(first)
        action.value = thread_channel("c1-support", first)
        await call(admin.add_message_action().channel("c1-support").message_action(action))
        entry = harness.inbox.conversations["c1-support"].entry_at(first)
        await wait_until(lambda: entry.actions is not None and entry.actions.thread)
        await wait_until(lambda: harness.link.receiver.polls > 2
                         and harness.link.receiver.extra == ())  # refused, dropped
        await call(admin.publish().channel("c1-support")
                   .message({"type": "text", "text": "still there?"}))
        await wait_until(lambda: harness.texts("c1-support") == ["hi", "still there?"])
        second = harness.inbox.conversations["c1-support"].entries[-1].timetoken
        action.message_timetoken = str(second)  # another thread: asked for, refused too
        action.value = thread_channel("c1-support", second)
        await call(admin.add_message_action().channel("c1-support").message_action(action))
        later = harness.inbox.conversations["c1-support"].entry_at(second)
        await wait_until(lambda: later.actions is not None and later.actions.thread)
        await wait_until(lambda: harness.link.receiver.extra == ())
        await call(admin.publish().channel("c1-support")
                   .message({"type": "text", "text": "hello?"}))
        await wait_until(lambda: harness.texts("c1-support")[-1:] == ["hello?"])
        assert harness.inbox.connection is ConnectionState.CONNECTED
        assert not any(isinstance(e, ConnectionStatus)
                       and e.state is ConnectionState.RECONNECTING for e in harness.events)
    finally:
        await harness.stop()
