"""`local_pubnub` in its own process, as `suppgram-tui serve` runs it, plus a stats pipe.

The benchmarks start the server here rather than in their own event loop: a console and
a server sharing one loop (and one core) would slow each other down and blur what is
measured. It is the same `LocalPubNub` with the same options `serve` builds; the only
addition is a line protocol on stdin/stdout so a benchmark can read the server's
counters without extra HTTP traffic:

    stdin  "stats"  ->  stdout one JSON line: requests (total and by endpoint), event-log
                        size, parked polls and RSS of this process
    stdin EOF       ->  stop

Run: python bench/_serve.py [--port 0] [--data FILE] [--poll-timeout 280]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import Any

from benchlib import rss_mb

from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions
from suppgram_tui.local_pubnub.server import LocalServer

REQUESTS: Counter[str] = Counter()
_handle = LocalServer.handle


def _endpoint(path: str) -> str:
    """`/v2/subscribe/...` -> `subscribe`; `/v3/history/...` -> `history`."""
    parts = [p for p in path.split("/") if p]
    for part in parts:
        if part in ("publish", "signal", "subscribe", "history", "history-with-actions",
                    "message-counts", "channel-registration", "presence", "objects", "time",
                    "auth", "message-actions"):
            if part == "history" and "message-counts" in parts:
                return "message-counts"
            return part
    return parts[0] if parts else "/"


async def _counting_handle(self: LocalServer, request):  # type: ignore[no-untyped-def]
    REQUESTS[_endpoint(request.rel_url.raw_path)] += 1
    return await _handle(self, request)


LocalServer.handle = _counting_handle  # type: ignore[method-assign]


def _log_size(keyset: Any) -> tuple[int, int]:
    """Events held and objects in the log (a presence batch is one object for many
    events); an older tree without `buffer` kept one Event per object."""
    buffer = getattr(keyset, "buffer", None)
    if buffer is not None:
        return buffer.event_count, buffer.entry_count
    held = len(keyset._log) - keyset._head
    return held, held


def stats(server: LocalPubNub) -> dict[str, object]:
    assert server.server is not None
    keysets = server.server.keysets.values()
    return {
        "requests": server.server.request_count,
        "by_endpoint": dict(REQUESTS),
        "log_events": sum(_log_size(k)[0] for k in keysets),
        "log_entries": sum(_log_size(k)[1] for k in keysets),
        "parked": sum(k.parked_count for k in keysets),
        "rss_mb": rss_mb(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", default=None)
    parser.add_argument("--poll-timeout", type=float, default=280.0)
    args = parser.parse_args()
    server = LocalPubNub(ServerOptions(port=args.port, data_path=args.data,
                                       poll_timeout=args.poll_timeout))
    await server.start()
    print(json.dumps({"origin": server.origin}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():
            if line.strip() == b"stats":
                print(json.dumps(stats(server)), flush=True)
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
