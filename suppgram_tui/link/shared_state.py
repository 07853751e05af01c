"""Shared conversation state in App Context: read, create, and change only by eTag.

Kept on `suppgram-state.<channel>`, never the customer's own channel, so customers
never see assignees or tags.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pubnub.models.consumer.objects_v2.page import Next
from pubnub.pubnub_asyncio import PubNubAsyncio

from .errors import ConflictError, LinkRequestError
from .events import STATE_PREFIX
from .sdk import fresh, with_body

log = logging.getLogger(__name__)

State = tuple[dict[str, Any], str | None]
"""A conversation's custom fields and their eTag (None when never written)."""


class SharedState:
    """The App Context calls of one link; it lends the client and its request counter."""

    def __init__(self, client: Callable[[], PubNubAsyncio],
                 call: Callable[[Any], Awaitable[Any]]) -> None:
        self._client = client
        self._call = call

    @property
    def client(self) -> PubNubAsyncio:
        return self._client()


    async def get(self, channel: str) -> State:
        """The channel's custom fields and eTag; empty and None when never set."""
        request = fresh(self.client.get_channel_metadata().channel(STATE_PREFIX + channel)
                        .include_custom(True))
        try:
            result = await self._call(request)
        except LinkRequestError as error:
            if error.status_code == 404:
                return {}, None
            raise
        data = result.data or {}
        return dict(data.get("custom") or {}), data.get("eTag")

    async def all(self) -> dict[str, State]:
        """Every channel's custom fields and eTag, paged."""
        states: dict[str, State] = {}
        page = None
        while True:
            request = fresh(self.client.get_all_channel_metadata().include_custom(True)
                            .limit(100))
            if page is not None:
                request = request.page(page)
            result = await self._call(request)
            for item in result.data or []:
                if item["id"].startswith(STATE_PREFIX):
                    states[item["id"][len(STATE_PREFIX):]] = (dict(item.get("custom") or {}),
                                                              item.get("eTag"))
            if not result.data or len(result.data) < 100 or not result.next:
                return states
            page = Next(result.next)

    async def ensure(self, channel: str) -> State:
        """The channel's state, creating the object first if it was never set.

        App Context has no create-if-absent, and another console may create the object
        and claim the conversation between my read and my create. So the create writes
        only `name` and leaves `custom` (the state) as it finds it: no `custom` means
        `new`, and a claim that landed meanwhile survives and comes back in the answer.
        Every change of `custom` is conditional on the eTag, so one claim at most wins.
        """
        custom, etag = await self.get(channel)
        if etag is not None:
            return custom, etag
        request = fresh(self.client.set_channel_metadata().channel(STATE_PREFIX + channel)
                        .include_custom(True))
        result = await self._call(with_body(request, {"name": STATE_PREFIX + channel}))
        return dict(result.data.get("custom") or {}), result.data.get("eTag")

    async def update(self, channel: str, custom: dict[str, Any], etag: str) -> str:
        """Write the state only if nobody changed it since `etag`; returns the new eTag."""
        request = fresh(self.client.set_channel_metadata().channel(STATE_PREFIX + channel)
                        .custom(custom).include_custom(True))
        request.if_matches_etag(etag)
        try:
            result = await self._call(request)
        except LinkRequestError as error:
            if error.status_code == 412:
                raise ConflictError(f"{channel} was changed by someone else") from None
            raise
        new_etag = result.data.get("eTag")
        await self._announce_state(channel, new_etag)
        return new_etag

    async def _announce_state(self, channel: str, etag: str | None) -> None:
        """Tell other consoles to re-read the state: a signal, since App Context events
        are usually off. Best effort: they also re-read on their next conflict."""
        try:
            await self._call(self.client.signal().channel(STATE_PREFIX + channel)
                             .message(str(etag or "")[:40]))
        except LinkRequestError as error:
            log.info("could not announce state of %s: %s", channel, error)
