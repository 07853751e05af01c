"""Builds real inboxes (real link, real store file) and customers against local_pubnub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.converters import DefaultMessageConverter
from suppgram_tui.inbox import Inbox, InboxEvent
from suppgram_tui.link.client import PubNubLink
from suppgram_tui.link.events import LinkEvent
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.store import AgentStore
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

GROUP = "support"
SUPPORT = "support"


def customer_payload(text: str, kind: str = "from_customer") -> dict[str, Any]:
    return {"kind": kind, "time": "2026-11-26T04:00:00.000000+0000", "text": text}


def link_settings(origin: str) -> LinkSettings:
    """The support user's link to the test server (its keyset, TLS off)."""
    return LinkSettings(publish_key=PUBLISH_KEY, subscribe_key=SUBSCRIBE_KEY, user_id=SUPPORT,
                        channel_groups=(GROUP,), origin=origin, ssl=False, local=True)


class InboxHarness:
    """One agent's inbox plus everything it emitted."""

    def __init__(self, origin: str, store_path: Path, agent: str,
                 converter: Any = None, settings: LinkSettings | None = None,
                 **inbox_options: Any) -> None:
        self.settings = settings or link_settings(origin)
        """The link's (a token or a secret key in tests of Access Manager)."""
        self.store = AgentStore(store_path)
        self.links: list[PubNubLink] = []
        self.link_events: list[LinkEvent] = []
        """What the link told the inbox, each recorded once the inbox has handled it."""

        def transport(on_event: Callable[[LinkEvent], None]) -> PubNubLink:
            def handle(event: LinkEvent) -> None:
                on_event(event)
                self.link_events.append(event)

            link = PubNubLink(self.settings, handle)
            self.links.append(link)
            return link

        self.inbox = Inbox(transport, converter=converter or DefaultMessageConverter(),
                           store=self.store, agent_name=agent, support_user=SUPPORT,
                           **inbox_options)
        self.events: list[InboxEvent] = []
        self.inbox.listen(self.events.append)

    @property
    def link(self) -> PubNubLink:
        return self.links[-1]

    async def start(self) -> InboxHarness:
        await self.inbox.start()
        return self

    async def stop(self) -> None:
        await self.inbox.stop()
        self.store.close()

    def texts(self, channel: str) -> list[str]:
        conversation = self.inbox.conversations.get(channel)
        return [entry.text for entry in conversation.entries] if conversation else []


def customer_client(origin: str, uuid: str) -> PubNubAsyncio:
    config = PNConfiguration()
    config.subscribe_key, config.publish_key, config.uuid = SUBSCRIBE_KEY, PUBLISH_KEY, uuid
    config.origin, config.ssl = origin, False
    return PubNubAsyncio(config)


async def open_conversation(customer: PubNubAsyncio, channel: str, text: str) -> int:
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP) \
        .future()
    result = await customer.publish().channel(channel).message(customer_payload(text)).future()
    return result.result.timetoken
