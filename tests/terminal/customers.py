"""Customers as the real Python PubNub SDK (asyncio), recording what reaches them.

A terminal test asserts what the customer's SDK received, byte for byte, not only what
the agent's screen shows: a reply can look right on screen and still reach the
customer garbled, twice, or not at all.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pubnub.pubnub_asyncio import PubNubAsyncio

from tests.helpers.inbox_harness import GROUP, SUPPORT, customer_client
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until


def suppgram_time(moment: datetime | None = None) -> str:
    """Suppgram's default converter's time format (`%Y-%m-%dT%H:%M:%S.%f%z`)."""
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%f%z")


class Customer:
    """One customer: its own uuid and channel (`<uuid>-support`) in the support group."""

    def __init__(self, origin: str, uuid: str, channel: str | None = None) -> None:
        self.uuid = uuid
        self.channel = channel or f"{uuid}-support"
        self.client: PubNubAsyncio = customer_client(origin, uuid)
        self.heard = Recorder()
        self.client.add_listener(self.heard)

    async def join(self) -> Customer:
        """Put the channel in the group and listen on it, as a chat widget does."""
        await self.client.add_channel_to_channel_group().channels([self.channel]) \
            .channel_group(GROUP).future()
        self.client.subscribe().channels([self.channel]).execute()
        await wait_until(lambda: self.heard.connected, timeout=20)
        return self

    async def say(self, text: str) -> int:
        """Publish Suppgram's default JSON; the timetoken PubNub gave it."""
        payload = {"kind": "from_customer", "time": suppgram_time(), "text": text}
        result = await self.client.publish().channel(self.channel).message(payload).future()
        return int(result.result.timetoken)

    @property
    def replies(self) -> list[dict[str, Any]]:
        """Every message the support user published on this channel, as received."""
        return [m.message for m in self.heard.messages if m.publisher == SUPPORT]

    @property
    def reply_texts(self) -> list[str]:
        return [message["text"] for message in self.replies
                if isinstance(message, dict) and message.get("kind") == "from_agent"
                and isinstance(message.get("text"), str)]

    async def stop(self) -> None:
        await self.client.stop()
