"""PubNub's history and channel-group listing, as the console reads them: many channels
per request, one bad channel never failing the rest (`batches.py`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from pubnub.pubnub_asyncio import PubNubAsyncio

from .batches import isolate
from .errors import LinkRequestError
from .events import WireMessage
from .file_sharing import FILE_MESSAGE, file_of
from .sdk import with_custom_message_types
from .settings import LinkSettings

log = logging.getLogger(__name__)

FETCH_CHANNELS_PER_CALL = 500
FETCH_PER_CHANNEL = 25
COUNT_CHANNELS_PER_CALL = 100


class HistoryCalls:
    """The link's reading side: which channels a group holds, what they said, how much
    is unread. Mixed into `PubNubLink`, which provides the client and the calls."""

    settings: LinkSettings
    client: PubNubAsyncio
    _call: Callable[[Any], Awaitable[Any]]
    unreadable: dict[str, str]
    """channel → why PubNub would not read it (one bad name never fails the batch)."""

    async def list_channels(self, group: str) -> list[str]:
        result = await self._call(
            self.client.list_channels_in_channel_group().channel_group(group))
        return list(result.channels)

    async def all_channels(self) -> dict[str, str]:
        """channel → the group it belongs to, across every group the console watches."""
        channels: dict[str, str] = {}
        for group in self.settings.channel_groups:
            try:
                listed = await self.list_channels(group)
            except LinkRequestError as error:
                if not error.refused:
                    raise
                log.warning("channel group %s is not listed: %s", group, error)  # said by the probe
                continue
            for channel in listed:
                channels.setdefault(channel, group)
        return channels

    async def backfill(self, channels: Iterable[str], *, end: int | None = None,
                       per_channel: int = FETCH_PER_CHANNEL
                       ) -> AsyncIterator[dict[str, list[WireMessage]]]:
        """The newest messages of many channels, 500 channels per request, handed on one
        request's answer at a time: at 10,000 conversations all of them at once were
        ~30 MB of decoded envelopes held beside the conversations they were filed in."""

        async def fetch(batch: list[str]) -> Any:
            request = with_custom_message_types(
                self.client.fetch_messages().channels(batch)
                .maximum_per_channel(min(per_channel, FETCH_PER_CHANNEL))
                .include_meta(True).include_uuid(True))
            return await self._call(request if end is None else request.end(end))

        names = list(channels)
        for offset in range(0, len(names), FETCH_CHANNELS_PER_CALL):
            batch = names[offset: offset + FETCH_CHANNELS_PER_CALL]
            for result in await isolate(batch, fetch, str, self.unreadable):
                yield {channel: [_history_item(channel, item) for item in items]
                       for channel, items in (result.channels or {}).items()}

    async def older(self, channel: str, before: int, count: int = 50) -> list[WireMessage]:
        """One page of a conversation's history before a timetoken (scroll-up)."""
        result = await self._call(with_custom_message_types(
            self.client.fetch_messages().channels([channel]).maximum_per_channel(count)
            .start(int(before)).include_meta(True).include_uuid(True)))
        return [_history_item(channel, item) for item in result.channels.get(channel, [])]

    async def with_actions(self, channel: str, count: int = 25, *, before: int | None = None
                           ) -> tuple[list[WireMessage], dict[int, Any]]:
        """A page of one channel's history with its message actions (edits, deletes,
        reactions, threads): timetoken → PubNub's `actions` for the messages that have
        any. PubNub gives actions for a single channel, 25 messages at most."""
        request = with_custom_message_types(
            self.client.fetch_messages().channels([channel]).maximum_per_channel(count)
            .include_message_actions(True).include_meta(True).include_uuid(True))
        if before is not None:
            request = request.start(int(before))
        result = await self._call(request)
        items = result.channels.get(channel, [])
        return ([_history_item(channel, item) for item in items],
                {int(item.timetoken): item.actions for item in items
                 if getattr(item, "actions", None)})

    async def since(self, channel: str, after: int, count: int = 100, *,
                    before: int | None = None) -> list[WireMessage]:
        """The newest `count` messages newer than `after` (and older than `before`, to
        page back through a window), oldest first."""
        request = with_custom_message_types(
            self.client.fetch_messages().channels([channel]).maximum_per_channel(count)
            .end(int(after) + 1).include_meta(True).include_uuid(True))
        if before is not None:
            request = request.start(int(before))
        result = await self._call(request)
        return [_history_item(channel, item) for item in result.channels.get(channel, [])]

    async def unread_counts(self, markers: dict[str, int]) -> dict[str, int]:
        """Messages after each channel's read marker, 100 channels per request."""
        counts: dict[str, int] = {}

        async def count(batch: list[tuple[str, int]]) -> Any:
            return await self._call(
                self.client.message_counts().channel([ch for ch, _ in batch])
                .channel_timetokens([max(int(tt), 0) for _, tt in batch]))

        items = list(markers.items())
        for offset in range(0, len(items), COUNT_CHANNELS_PER_CALL):
            batch = items[offset: offset + COUNT_CHANNELS_PER_CALL]
            for result in await isolate(batch, count, lambda item: item[0], self.unreadable):
                counts.update(result.channels)
        return counts


def _history_item(channel: str, item: Any) -> WireMessage:
    meta = getattr(item, "meta", None)
    message, file = item.message, None
    if getattr(item, "message_type", None) in (FILE_MESSAGE, str(FILE_MESSAGE)):
        try:
            message, file = file_of(item.message)
        except ValueError:
            pass  # shown as the raw payload it is
    return WireMessage(message=message, channel=channel, file=file,
                       publisher=getattr(item, "uuid", None), timetoken=int(item.timetoken),
                       user_metadata=meta if meta not in ("", None) else None,
                       custom_message_type=getattr(item, "custom_message_type", None))
