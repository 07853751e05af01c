"""Notices when a watched channel group has no channels, so silence is never mistaken
for a quiet day.

Subscribing to an empty group succeeds and delivers nothing: after an in-memory local
server restarts, or when an admin removed the group, every console says "● connected"
and no customer message can arrive. The groups are listed at start, after every
reconnect and then every `CHECK_EVERY` seconds, each listing one `GroupsChecked` event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from suppgram_tui.waiting import wait_event

from .errors import LinkRequestError
from .events import GroupsChecked, LinkEvent

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0
"""Seconds between listings: one small request per group, cheap beside the long-poll."""


class GroupWatch:
    """Lists the groups now and then; emits `GroupsChecked` with the empty ones."""

    def __init__(self, groups: Sequence[str], list_channels: Callable[[str], Awaitable[
            list[str]]], emit: Callable[[LinkEvent], None], *,
                 every: float | None = None) -> None:
        self.groups = tuple(groups)
        self._list_channels = list_channels
        self._emit = emit
        self._every = every
        """Seconds between listings; `CHECK_EVERY` when None (read at each wait)."""
        self._wake = asyncio.Event()
        self.empty: tuple[str, ...] | None = None
        """The groups found empty at the last listing (None before the first)."""

    def check_soon(self) -> None:
        """After a reconnect: the server may have restarted and forgotten its groups."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - a watch that dies says nothing ever again
                log.exception("listing the channel groups failed")
            self._wake.clear()
            await wait_event(self._wake, self._every or CHECK_EVERY)

    async def check(self) -> None:
        empty = []
        for group in self.groups:
            try:
                if not await self._list_channels(group):
                    empty.append(group)
            except LinkRequestError as error:  # not allowed to list: say nothing new
                log.info("could not list channel group %s: %s", group, error)
        found = tuple(empty)
        if found != self.empty and found:
            log.warning("channel groups without channels: %s", ", ".join(found))
        self.empty = found
        self._emit(GroupsChecked(found))  # every time: the inbox may have cleared a group
