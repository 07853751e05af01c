"""The subscribe loop, owned by the link rather than the SDK's event engine.

SDK 10.8's own receive loop dies silently on an App Context or file event, or on one
malformed envelope (reference §12.1). Here the SDK still builds and signs every
request (a poll goes out through `long_poll.py`, a lighter client than the SDK's), but
the loop, the cursor and each envelope's decoding are ours: a bad envelope
becomes a `MalformedEnvelope`, a failed poll a reconnect from the same cursor, and a
crash of the loop itself a restart by the supervisor.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from pubnub.endpoints.pubsub.subscribe import Subscribe

from suppgram_tui.model import ConnectionState

from .envelopes import decode_envelope
from .errors import LinkRequestError
from .events import ConnectionChanged, LinkEvent
from .long_poll import LongPoll
from .sdk import call
from .unreachable import Unreachable

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
DISPATCH_SLICE = 0.004
"""Seconds of delivering events before the loop gets a turn (a quarter of a frame)."""


class Receiver:
    """Long-polls channel groups from a cursor and hands each event to `deliver`."""

    def __init__(self, pubnub: Any, *, groups: list[str], channels: list[str],
                 deliver: Callable[[LinkEvent], None]) -> None:
        self._pubnub = pubnub
        self.groups = groups
        self.channels = channels
        self.extra: tuple[str, ...] = ()
        """Channels subscribed by name beside the groups (Chat SDK thread channels)."""
        self._deliver = deliver
        self._resubscribe = asyncio.Event()
        self._refused: set[str] = set()
        """Extra channels Access Manager refused: never asked for again."""
        self.cursor = 0
        self.region: int | None = None
        self.polls = 0
        self.connected = asyncio.Event()
        self._stop = asyncio.Event()
        self._reachable = asyncio.Event()
        """Another request just got an answer: a poll backing off tries again now."""
        self._http = LongPoll(pubnub)

    async def handshake(self) -> int:
        """Take the server's current timetoken as the cursor, before any history is read."""
        body = await self._poll(0)
        self.cursor = int(body["t"]["t"])
        self.region = body["t"].get("r")
        if not self.connected.is_set():
            self.connected.set()
            self._deliver(ConnectionChanged(ConnectionState.CONNECTED))
        return self.cursor

    async def run(self) -> None:
        """Poll until stopped; any failure is a reconnect from the same cursor."""
        backoff = 0.25
        failing = False
        said = ""
        """Why, as last told: a cut connection becomes a refused one as a server stops,
        and the agent should read the reason that holds now."""
        while not self._stop.is_set():
            try:
                if self.cursor == 0:
                    await self.handshake()
                elif failing:  # a quick request first: the poll may not answer for minutes
                    await call(self._pubnub.time())
                    self._deliver(ConnectionChanged(ConnectionState.CONNECTED,
                                                    resumed_from=self.cursor))
                    failing, backoff = False, 0.25
                    self.connected.set()
                body = await self._poll_until_changed(self.cursor)
                if body is None:
                    continue  # the channels changed: poll again from the same cursor
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - every failure means "retry"
                if self._drop_refused_extra(error):
                    continue
                words = _describe(error)
                if not failing or words != said:
                    failing, said = True, words
                    self.connected.clear()
                    self._deliver(ConnectionChanged(ConnectionState.RECONNECTING, words))
                await self._back_off(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            if failing:
                self._deliver(ConnectionChanged(ConnectionState.CONNECTED,
                                                resumed_from=self.cursor))
                failing, backoff = False, 0.25
                self.connected.set()
            await self._dispatch(body)

    def stop(self) -> None:
        self._stop.set()

    def server_answered(self) -> None:
        """A request on another connection (a reply published, history read) was
        answered: the server is back, so a poll waiting out its backoff (up to 30 s)
        polls now and the status line stops saying "reconnecting"."""
        if not self.connected.is_set():
            self._reachable.set()

    async def _back_off(self, seconds: float) -> None:
        self._reachable.clear()
        try:
            await asyncio.wait_for(self._reachable.wait(), seconds)
        except asyncio.TimeoutError:  # not yet the builtin one on Python 3.10
            pass

    def watch(self, channels: tuple[str, ...]) -> None:
        """Subscribe to `channels` by name beside the groups from the next poll on; the
        poll in flight is cut short, so the change takes effect at once."""
        channels = tuple(channel for channel in channels if channel not in self._refused)
        if channels != self.extra:
            self.extra = channels
            self._resubscribe.set()

    def _drop_refused_extra(self, error: Exception) -> bool:
        """Access Manager refused some of the extra channels: the groups must not go
        quiet for them. True when some were dropped (poll again at once)."""
        if not isinstance(error, LinkRequestError) or not error.refused:
            return False
        refused = set(error.denied.get("channels", []))
        kept = tuple(channel for channel in self.extra if channel not in refused)
        if kept == self.extra:
            return False
        log.warning("not allowed to subscribe to %s: not watched",
                    ", ".join(sorted(set(self.extra) - set(kept))))
        self._refused.update(set(self.extra) - set(kept))
        self.extra = kept
        return True

    async def close(self) -> None:
        """Let go of the poll's connection (after the loop has stopped)."""
        await self._http.close()

    async def _dispatch(self, body: dict[str, Any]) -> None:
        """Deliver one answer's events in order, giving the loop back between slices: a
        full answer (100 messages) costs 10-20 ms to take in, and a key pressed meanwhile
        should not wait for all of it."""
        sliced = time.perf_counter()
        for item in body.get("m") or []:
            event = decode_envelope(item)
            try:
                self._deliver(event)
            except Exception:  # a listener bug must not stop receiving
                log.exception("link event handler failed for %r", event)
            if time.perf_counter() - sliced > DISPATCH_SLICE:
                await asyncio.sleep(0)
                sliced = time.perf_counter()
        try:
            self.cursor = int(body["t"]["t"])
            self.region = body["t"].get("r", self.region)
        except (KeyError, TypeError, ValueError):
            log.warning("subscribe response without a cursor; keeping %s", self.cursor)

    async def _poll_until_changed(self, cursor: int) -> dict[str, Any] | None:
        """One poll, or None if the channels changed (`watch`) before it answered."""
        self._resubscribe.clear()
        poll = asyncio.ensure_future(self._poll(cursor))
        changed = asyncio.ensure_future(self._resubscribe.wait())
        try:
            await asyncio.wait({poll, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            changed.cancel()
            if not poll.done():
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
        if poll.cancelled():
            return None
        return poll.result()

    async def _poll(self, cursor: int) -> dict[str, Any]:
        self.polls += 1
        request = Subscribe(self._pubnub).channel_groups(self.groups) \
            .channels([*self.channels, *self.extra])
        request.timetoken(cursor)
        if cursor and self.region is not None:
            request.region(self.region)
        timeout = self._pubnub.config.subscribe_request_timeout + 15
        body = await self._http.get(request, timeout)
        if not isinstance(body, dict) or "t" not in body:
            raise ValueError(f"subscribe answered a body that is not PubNub's: {body!r}"[:200])
        return body


def _describe(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "the server did not answer in time"
    if isinstance(error, Unreachable) or getattr(error, "reached_nothing", False):
        return str(error)[:200]
    if isinstance(error, LinkRequestError) and error.detail == "Server disconnected":
        return "the server closed the connection"  # aiohttp's words for a cut poll
    text = str(error) or type(error).__name__
    return f"connection problem: {text}"[:200]
