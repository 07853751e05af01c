"""Read receipts for customers on the Chat SDK: the agent read the conversation.

The Chat SDK reads who read what from each member's membership custom
`lastReadMessageTimetoken` (`channel.fetchReadReceipts`), and hears it live from a
`{"type": "receipt"}` signal (`onReadReceiptReceived`), both as its own
`Membership.setLastReadMessageTimetoken` writes them. Flicking through conversations
must not flood App Context: at most one write per conversation every few seconds, the
newest position going out when the wait is over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from suppgram_tui.link.errors import LinkRequestError

from .transport import Transport

log = logging.getLogger(__name__)

EVERY = 3.0
"""Seconds between two receipts of one conversation."""


class ReadReceipts:
    """Tells the customer's Chat SDK app how far the support user has read."""

    def __init__(self, transport: Transport, *,
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 enabled: bool) -> None:
        self.transport = transport
        self.enabled = enabled
        self._spawn = spawn
        self._sent: dict[str, tuple[float, int]] = {}
        """channel → when the last receipt went out, and its timetoken."""
        self._wanted: dict[str, int] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def read(self, channel: str, timetoken: int) -> None:
        """The agent has read `channel` up to `timetoken`."""
        if not self.enabled or not timetoken or not self.transport.features.app_context:
            return
        when, sent = self._sent.get(channel, (0.0, 0))
        if timetoken <= max(sent, self._wanted.get(channel, 0)):
            return
        self._wanted[channel] = timetoken
        wait = when + EVERY - time.monotonic()
        if wait <= 0:
            self._send(channel)
        elif channel not in self._timers:
            self._timers[channel] = asyncio.get_running_loop().call_later(
                wait, self._send, channel)

    def _send(self, channel: str) -> None:
        self._timers.pop(channel, None)
        timetoken = self._wanted.pop(channel, 0)
        if timetoken:
            self._sent[channel] = (time.monotonic(), timetoken)
            self._spawn(self._write(channel, timetoken))

    async def _write(self, channel: str, timetoken: int) -> None:
        try:
            await self.transport.set_last_read(channel, timetoken)
            await self.transport.signal(channel, {"type": "receipt",
                                                  "messageTimetoken": str(timetoken)})
        except LinkRequestError as error:
            log.info("read receipt for %s not written: %s", channel, error)
            self._sent.pop(channel, None)  # the next read tries again
