"""A deadline for request heads: a client that trickles a request line is cut off.

aiohttp closes a connection that has had no request for its keep-alive timeout (from
when it opened or last answered), but a client sending a request one byte at a time
(slowloris) is then held for that whole time. `HeadDeadline` wraps aiohttp's protocol
for each connection: once bytes of a new request arrive, its head must be in within
`timeout` seconds, or the connection is closed. The handler says when a head is in
(`head_arrived`) and when its answer is done (`request_done`), so a long-poll held for
minutes is never cut: the deadline covers receiving a request, not answering it.
"""

from __future__ import annotations

import asyncio
from typing import Any


class HeadDeadline(asyncio.Protocol):
    """aiohttp's protocol for one connection, with a deadline on each request head."""

    def __init__(self, inner: Any, timeout: float) -> None:
        self._inner = inner
        self._timeout = timeout
        self._transport: asyncio.BaseTransport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._requests = 0
        """Requests whose head is in and whose answer is not done yet."""

    # what the handler tells it ---------------------------------------------------

    def head_arrived(self) -> None:
        self._requests += 1
        self._cancel()

    def request_done(self) -> None:
        self._requests -= 1

    # asyncio.Protocol, passed on --------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._requests and self._timer is None:  # the start of a new request
            self._timer = asyncio.get_running_loop().call_later(self._timeout, self._expire)
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        result: bool | None = self._inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    # the deadline ----------------------------------------------------------------

    def _expire(self) -> None:
        self._timer = None
        if not self._requests and self._transport is not None:
            self._transport.close()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def guard_of(transport: asyncio.BaseTransport | None) -> HeadDeadline | None:
    """The deadline of a request's connection, if it has one."""
    protocol = transport.get_protocol() if transport is not None else None
    return protocol if isinstance(protocol, HeadDeadline) else None
