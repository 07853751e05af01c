"""Customers publishing into their channels from their own process.

They speak the publish wire format the PubNub SDKs use (GET /publish/... with the JSON
message in the path, `uuid` and `meta` in the query) over keep-alive connections, one
customer uuid per channel. Raw HTTP rather than one SDK client per customer keeps the
load generator light on a two-core machine, so the console and the server get the CPU.
Each message carries the wall-clock time it was sent in `meta.sent`.

Reads one JSON spec on stdin (see `CustomersProcess` in benchlib.py); writes JSON lines:
progress `{"sent", "errors", "t"}` every 0.25 s, then `{"sent", "errors", "start", "end"}`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import sys
import time
from typing import Any
from urllib.parse import quote

import aiohttp

FILLER = ("my-order-has-not-arrived-yet.where-is-it.i-ordered-it-two-weeks-ago."
          "the-tracking-page-says-nothing.please-look-into-it ")
"""Padding for long messages: unreserved in a URL but for one space in 120 characters,
so 31 KB of it still fits PubNub's 32 KiB GET publish."""


def payload(number: int, size: int | None = None) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f%z")
    text = f"Customer message {number}: my order has not arrived yet."
    if size is not None and size > len(text):
        text = (text + " " + FILLER * (size // len(FILLER) + 1))[:size]
    return json.dumps({"kind": "from_customer", "time": now, "text": text},
                      separators=(",", ":"))


class Customers:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.channels: list[str] = spec["channels"]
        self.choose = random.Random(spec["seed"])
        self.sent = 0
        self.errors = 0
        self.base = (f"http://{spec['origin']}/publish/{spec['publish_key']}/"
                     f"{spec['subscribe_key']}/0/")

    def channel(self) -> str:
        hot = self.spec.get("hot_channel")
        if hot and self.choose.random() < self.spec.get("hot_share", 0.0):
            return hot
        return self.choose.choice(self.channels)

    async def publish(self, http: aiohttp.ClientSession, number: int) -> None:
        channel = self.channel()
        meta = json.dumps({"sent": time.time()}, separators=(",", ":"))
        message = payload(number, self.spec.get("text_size"))
        url = (f"{self.base}{quote(channel, safe='')}/0/{quote(message, safe='')}"
               f"?uuid=cust-{quote(channel, safe='')}&meta={quote(meta, safe='')}"
               f"&pnsdk=bench-customers")
        try:
            async with http.get(url) as response:
                await response.read()
                if response.status == 200:
                    self.sent += 1
                else:
                    self.errors += 1
        except aiohttp.ClientError:
            self.errors += 1

    async def run(self) -> None:
        spec = self.spec
        concurrency = max(1, int(spec["concurrency"]))
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as http:
            start = time.time()
            print(json.dumps({"start": start, "sent": 0, "errors": 0, "t": start}), flush=True)
            reporter = asyncio.create_task(self.report())
            if spec["rate"]:
                await self.paced(http, start)
            else:
                await self.flat_out(http, concurrency, start)
            reporter.cancel()
            end = time.time()
            print(json.dumps({"sent": self.sent, "errors": self.errors, "start": start,
                              "end": end, "t": end}), flush=True)

    def more(self, number: int, start: float) -> bool:
        if self.spec["count"] is not None and number >= self.spec["count"]:
            return False
        return self.spec["seconds"] is None or time.time() - start < self.spec["seconds"]

    async def flat_out(self, http: aiohttp.ClientSession, concurrency: int,
                       start: float) -> None:
        """As fast as the server accepts: `concurrency` publishes always in flight."""
        counter = iter(range(10**12))

        async def worker() -> None:
            while self.more(number := next(counter), start):
                await self.publish(http, number)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def paced(self, http: aiohttp.ClientSession, start: float) -> None:
        """Open loop at `rate`: message i leaves at start + i / rate, however slow answers are."""
        interval = 1.0 / self.spec["rate"]
        limit = asyncio.Semaphore(max(1, int(self.spec["concurrency"])))
        tasks: set[asyncio.Task[None]] = set()
        number = 0
        loop_start = time.monotonic()
        while self.more(number, start):
            delay = loop_start + number * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await limit.acquire()
            task = asyncio.create_task(self.publish(http, number))
            task.add_done_callback(lambda _t: limit.release())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            number += 1
        await asyncio.gather(*tasks)

    async def report(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            print(json.dumps({"sent": self.sent, "errors": self.errors, "t": time.time()}),
                  flush=True)


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    asyncio.run(Customers(spec).run())


if __name__ == "__main__":
    main()
