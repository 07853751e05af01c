"""A reply is never published twice, however much traffic followed it (issue 11, item 5).

The console crashed after its publish reached PubNub and before the acknowledgement: the
store still holds the reply as "sending". On restart the outbox must find it in history
before resending, even when more than one history page of messages came after it.
"""

from __future__ import annotations

from datetime import timedelta

from suppgram_tui.store import AgentStore, OutboxEntry, OutboxState
from suppgram_tui.timetokens import now_utc
from tests.helpers.inbox_harness import (
    SUPPORT,
    InboxHarness,
    customer_client,
    customer_payload,
    open_conversation,
)
from tests.helpers.wait import wait_until

CHANNEL = "dana-support"
LATER_MESSAGES = 150  # more than the 100 one history page holds


async def test_a_reply_followed_by_many_messages_is_not_sent_again(local_server, tmp_path):
    dana = customer_client(local_server.origin, "dana")
    support = customer_client(local_server.origin, SUPPORT)
    store_path = tmp_path / "ann.json"
    reply = {"kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000", "text": "On it"}
    meta = {"agent": "ann", "client_id": "reply-1"}
    try:
        await open_conversation(dana, CHANNEL, "hello")
        created = now_utc() - timedelta(seconds=1)
        # the publish that reached PubNub; its acknowledgement never reached the console
        await support.publish().channel(CHANNEL).message(reply).meta(meta).future()
        for number in range(LATER_MESSAGES):
            await dana.publish().channel(CHANNEL).message(
                customer_payload(f"message {number}")).future()
        store = AgentStore(store_path)
        store.outbox_add(OutboxEntry("reply-1", CHANNEL, reply, meta, created=created,
                                     attempts=1, state=OutboxState.SENDING))
        store.close()

        ann = await InboxHarness(local_server.origin, store_path, "ann").start()
        try:
            await wait_until(lambda: ann.inbox.status().pending_replies == 0)
        finally:
            await ann.stop()
        newest = await dana.fetch_messages().channels([CHANNEL]).maximum_per_channel(100) \
            .include_meta(True).future()
        resent = [item for item in newest.result.channels[CHANNEL]
                  if isinstance(item.meta, dict) and item.meta.get("client_id") == "reply-1"]
        assert resent == []  # a second copy would be the newest message
    finally:
        await dana.stop()
        await support.stop()
