"""Many subscribers long-polling one channel of `local_pubnub`, from their own process.

Each is a separate long-poll (subscribe v2, its own uuid) over raw HTTP, as an SDK's
subscribe loop would make it: handshake at tt=0, then poll from the returned cursor.
Reads one JSON spec on stdin ({"origin", "subscribe_key", "channel", "count"}), prints
`{"ready": n}` once every subscriber has its cursor, then, at EOF on stdin, one JSON
report: deliveries, polls answered, per-delivery latency (from `meta.sent`) and, for each
message, when its last subscriber got it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp


class Subscribers:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.deliveries = 0
        self.polls = 0
        self.errors = 0
        self.latencies: list[float] = []
        self.last_seen: dict[str, float] = {}
        self.sent_at: dict[str, float] = {}
        self.ready = 0

    def url(self, index: int, cursor: str) -> str:
        spec = self.spec
        return (f"http://{spec['origin']}/v2/subscribe/{spec['subscribe_key']}/"
                f"{spec['channel']}/0?tt={cursor}&uuid=sub-{index:05d}&heartbeat=300")

    async def subscriber(self, http: aiohttp.ClientSession, index: int,
                         all_ready: asyncio.Event) -> None:
        cursor = "0"
        while True:
            try:
                async with http.get(self.url(index, cursor)) as response:
                    body = await response.json(content_type=None)
            except (aiohttp.ClientError, ValueError):
                self.errors += 1
                await asyncio.sleep(0.1)
                continue
            now = time.time()
            if cursor == "0":
                self.ready += 1
                if self.ready == self.spec["count"]:
                    all_ready.set()
            else:
                self.polls += 1
            cursor = body["t"]["t"]
            for item in body.get("m") or []:
                self.deliveries += 1
                sent = (item.get("u") or {}).get("sent")
                key = item["p"]["t"]
                if isinstance(sent, int | float):
                    self.latencies.append(now - sent)
                    self.sent_at[key] = sent
                self.last_seen[key] = max(self.last_seen.get(key, 0.0), now)

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=None, sock_read=600)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            all_ready = asyncio.Event()
            tasks = [asyncio.create_task(self.subscriber(http, i, all_ready))
                     for i in range(self.spec["count"])]
            await all_ready.wait()
            print(json.dumps({"ready": self.ready}), flush=True)
            loop = asyncio.get_running_loop()
            reader = asyncio.StreamReader()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                         sys.stdin)
            while await reader.readline():
                pass
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        fanout = [self.last_seen[k] - self.sent_at[k] for k in self.sent_at]
        ordered = sorted(self.latencies)

        def pick(p: float) -> float | None:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] \
                if ordered else None

        print(json.dumps({"deliveries": self.deliveries, "polls": self.polls,
                          "errors": self.errors,
                          "latency": {"p50": pick(50), "p99": pick(99), "max": pick(100)},
                          "all_delivered": fanout}), flush=True)


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    asyncio.run(Subscribers(spec).run())


if __name__ == "__main__":
    main()
