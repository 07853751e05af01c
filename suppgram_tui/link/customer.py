"""A simulated customer's side of PubNub: its own client, user id and channel.

It reuses the console's `Receiver`, so a customer's view survives the same SDK
defects. With a secret key at hand (Access Manager enforced), the simulator acts as
the customer's backend: it adds the channel to the group and grants the customer a
token limited to its own channel, as a production backend would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pubnub.endpoints.presence.leave import Leave
from pubnub.models.consumer.v3.channel import Channel
from pubnub.pubnub_asyncio import PubNubAsyncio

from .errors import LinkRequestError
from .events import LinkEvent, WireMessage
from .receiver import Receiver
from .sdk import call, make_client, with_custom_message_types
from .settings import LinkSettings

log = logging.getLogger(__name__)

TOKEN_TTL_MINUTES = 24 * 60


class CustomerLink:
    """One customer: joins the group, chats on its channel, can go offline and back."""

    def __init__(self, settings: LinkSettings, *, user_id: str, channel: str, group: str,
                 on_event: Callable[[LinkEvent], None]) -> None:
        self.settings = replace(settings, user_id=user_id)
        self.user_id = user_id
        self.channel = channel
        self.group = group
        self._on_event = on_event
        self.pubnub: PubNubAsyncio | None = None
        self.receiver: Receiver | None = None
        self.token: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def online(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Register the channel (as the backend would), then come online."""
        if self.settings.secret_key:
            await self._register_with_secret()
        else:
            self.pubnub = make_client(self.settings, self.user_id, secret=False,
                                      token=self.settings.token)
            await call(self.pubnub.add_channel_to_channel_group()
                        .channels([self.channel]).channel_group(self.group))
        await self.go_online()

    async def _register_with_secret(self) -> None:
        admin = make_client(self.settings, f"{self.user_id}-backend")
        try:
            await call(admin.add_channel_to_channel_group().channels([self.channel])
                        .channel_group(self.group))
            grant = await call(
                admin.grant_token()
                .channels([Channel.id(self.channel).read().write().join(),
                           Channel.id(self.channel + "-pnpres").read()])
                .ttl(TOKEN_TTL_MINUTES).authorized_uuid(self.user_id))
            self.token = grant.token
        finally:
            await admin.stop()
        self.pubnub = make_client(self.settings, self.user_id, secret=False, token=self.token)

    async def go_online(self) -> None:
        """Subscribe to the own channel; presence sees the customer join."""
        if self.online or self.pubnub is None:
            return
        if self.receiver is None:
            self.receiver = Receiver(self.pubnub, groups=[], channels=[self.channel],
                                     deliver=self._on_event)
            await self.receiver.handshake()
        self._task = asyncio.create_task(self.receiver.run(), name=f"customer-{self.user_id}")

    async def go_offline(self) -> None:
        """Stop listening and say so (PubNub's leave), as a closed app would."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.pubnub is not None:
            try:
                await call(Leave(self.pubnub).channels([self.channel]))
            except LinkRequestError as error:
                log.info("leave failed for %s: %s", self.user_id, error)

    async def publish(self, payload: Any, meta: dict[str, Any] | None = None,
                      custom_message_type: str | None = None) -> int:
        assert self.pubnub is not None, "start() first"
        request = self.pubnub.publish().channel(self.channel).message(payload)
        if meta:
            request = request.meta(meta)
        if custom_message_type:
            request = request.custom_message_type(custom_message_type)
        if len(repr(payload)) > 8_000:
            request = request.use_post(True)
        return int((await call(request)).timetoken)

    async def publish_as(self, publisher: str, payload: Any,
                         meta: dict[str, Any] | None = None,
                         custom_message_type: str | None = None) -> int:
        """Publish on this channel as another user id (a bot of the customers' backend),
        with a client of its own: signed with the secret key when there is one, as a
        backend publishes; else with the keyset's token, if any."""
        secret = bool(self.settings.secret_key)
        client = make_client(self.settings, publisher, secret=secret,
                             token=None if secret else self.settings.token)
        try:
            request = client.publish().channel(self.channel).message(payload)
            if meta:
                request = request.meta(meta)
            if custom_message_type:
                request = request.custom_message_type(custom_message_type)
            return int((await call(request.use_post(len(repr(payload)) > 8_000))).timetoken)
        finally:
            await client.stop()

    async def typing(self) -> None:
        assert self.pubnub is not None, "start() first"
        await call(self.pubnub.signal().channel(self.channel).message({"typing": True}))

    async def history(self, count: int = 50) -> list[WireMessage]:
        assert self.pubnub is not None, "start() first"
        result = await call(with_custom_message_types(
            self.pubnub.fetch_messages().channels([self.channel]).maximum_per_channel(count)
            .include_meta(True).include_uuid(True)))
        return [WireMessage(item.message, self.channel, getattr(item, "uuid", None),
                            int(item.timetoken), item.meta or None,
                            custom_message_type=getattr(item, "custom_message_type", None))
                for item in result.channels.get(self.channel, [])]

    async def stop(self) -> None:
        """Go offline and let go of every connection, the poll's included."""
        await self.go_offline()
        if self.receiver is not None:
            await self.receiver.close()
            self.receiver = None
        if self.pubnub is not None:
            await self.pubnub.stop()
            self.pubnub = None
