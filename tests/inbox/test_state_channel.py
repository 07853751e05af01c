"""The state channels belong to the consoles (issue 11, item 16).

Anyone holding the keys can publish and signal on `suppgram-state.<channel>`. Such a
message must not become a conversation, another publisher's "viewing" must not show,
and a flood of state hints must not cost one App Context read each.
"""

from __future__ import annotations

from tests.helpers.inbox_harness import (
    GROUP,
    SUPPORT,
    InboxHarness,
    customer_client,
    customer_payload,
)
from tests.helpers.wait import wait_until

CHANNEL = "dana-support"
STATE = "suppgram-state." + CHANNEL
HINTS = 200


async def test_only_the_support_user_speaks_on_state_channels(local_server, tmp_path):
    dana = customer_client(local_server.origin, "dana")
    mallory = customer_client(local_server.origin, "mallory")
    support = customer_client(local_server.origin, SUPPORT)
    await dana.add_channel_to_channel_group().channels([CHANNEL]).channel_group(GROUP).future()
    await dana.publish().channel(CHANNEL).message(customer_payload("hi")).future()
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    try:
        await wait_until(lambda: ann.texts(CHANNEL) == ["hi"])
        reads_before = ann.link.requests["GetChannel"]
        await mallory.publish().channel(STATE).message(customer_payload("fake")).future()
        await mallory.signal().channel(STATE).message({"v": "mallory"}).future()
        await mallory.signal().channel(STATE).message({"v": None}).future()
        for number in range(HINTS):
            await mallory.signal().channel(STATE).message(f"etag-{number}").future()
        # the support user's own hint still counts; it comes last, so once it is handled
        # everything mallory sent has been
        await support.signal().channel(STATE).message({"v": "bob"}).future()
        await wait_until(lambda: "bob" in ann.inbox.conversations[CHANNEL].viewers)

        assert set(ann.inbox.conversations) == {CHANNEL}  # no "suppgram-state." conversation
        assert ann.inbox.conversations[CHANNEL].viewers == {"bob"}  # not mallory, not "None"
        assert ann.link.requests["GetChannel"] - reads_before == 0

        for number in range(HINTS):  # the same flood from the support user is coalesced
            await support.signal().channel(STATE).message(f"etag-{number}").future()
        await support.signal().channel(STATE).message({"l": "bob"}).future()
        await wait_until(lambda: "bob" not in ann.inbox.conversations[CHANNEL].viewers)
        await wait_until(lambda: not ann.inbox._actions._rereading)
        reads = ann.link.requests["GetChannel"] - reads_before
        assert 1 <= reads <= HINTS // 10, (reads, ann.link.requests)
    finally:
        await ann.stop()
        for client in (dana, mallory, support):
            await client.stop()
