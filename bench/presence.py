"""Server under a presence flood: do `/time` and publish stay prompt?

The red-team case of issue 11 (item 7): 30 clients each subscribe to the same 10,000
channels under their own uuid (300,000 joins), one every 100 ms, and 2,000 clients on a
channel each, one every 2 ms (tests/presence_flood.py, in its own process). Meanwhile
this process sends `/time` every 20 ms and a publish every 100 ms, open-loop (a stall
delays every request sent during it). Baseline: the same probes against the same server
while idle, in the same run. Also reported: server RSS and what its event log holds.

Run: python bench/presence.py [--quick] [--wide 30] [--channels 10000] [--own 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import aiohttp
import benchlib
from benchlib import REPO, SUBSCRIBE_KEY, Report, ServerProcess, fmt, percentile

PUBLISH_KEY = "pub-bench"
FLOOD = REPO / "tests" / "presence_flood.py"


async def probe(http: aiohttp.ClientSession, url: str, every: float,
                stop: asyncio.Event) -> list[float]:
    latencies: list[float] = []

    async def once() -> None:
        started = time.monotonic()
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=120)) as response:
            await response.read()
        latencies.append(time.monotonic() - started)

    sent = []
    while not stop.is_set():
        sent.append(asyncio.ensure_future(once()))
        await asyncio.sleep(every)
    await asyncio.gather(*sent)
    return latencies


async def probes(origin: str, stop: asyncio.Event) -> tuple[list[float], list[float]]:
    base = f"http://{origin}"
    publish = f"{base}/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/probe/0/%22hi%22?uuid=probe"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        found = await asyncio.gather(probe(http, f"{base}/time/0", 0.02, stop),
                                     probe(http, publish, 0.1, stop))
    return found[0], found[1]


def ms(values: list[float], p: float) -> str:
    return fmt(percentile(values, p) * 1000)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 wide clients, 500 own")
    parser.add_argument("--wide", type=int, default=None)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--own", type=int, default=None)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.wide = args.wide or (10 if args.quick else 30)
    args.own = args.own or (500 if args.quick else 2000)
    benchlib.quiet_logging()
    report = Report(f"Presence flood: {args.wide} x {args.channels:,} channels with their "
                    f"own uuids + {args.own:,} single-channel clients",
                    columns=("measure", "flood", "idle (baseline)", "ratio"))
    async with ServerProcess(poll_timeout=5.0) as server:
        stop = asyncio.Event()
        idle = asyncio.ensure_future(probes(server.origin, stop))
        await asyncio.sleep(3.0)
        stop.set()
        idle_time, idle_publish = await idle
        before = await server.stats()

        stop = asyncio.Event()
        busy = asyncio.ensure_future(probes(server.origin, stop))
        started = time.monotonic()
        flood = await asyncio.create_subprocess_exec(
            sys.executable, str(FLOOD), server.origin, SUBSCRIBE_KEY, str(args.wide),
            str(args.channels), str(args.own), "0.1", "0.002", stdout=asyncio.subprocess.PIPE)
        out, _ = await flood.communicate()
        took = time.monotonic() - started
        stop.set()
        flood_time, flood_publish = await busy
        after = await server.stats()
    result = json.loads(out)
    for label, flooded, quiet in (("/time", flood_time, idle_time),
                                  ("publish", flood_publish, idle_publish)):
        for p in (50, 99, 100):
            name = "max" if p == 100 else f"p{p}"
            ratio = percentile(flooded, p) / max(percentile(quiet, p), 1e-6)
            report.add(f"{label} {name}", f"{ms(flooded, p)} ms", f"{ms(quiet, p)} ms",
                       f"{ratio:.1f}")
    report.add("server RSS", f"{fmt(after['rss_mb'])} MB", f"{fmt(before['rss_mb'])} MB",
               f"{after['rss_mb'] / before['rss_mb']:.1f}")
    report.add("event log: events / objects held",
               f"{after['log_events']:,} / {after['log_entries']:,}",
               f"{before['log_events']:,} / {before['log_entries']:,}")
    report.add("flood: polls answered, errors, seconds",
               f"{result['polls']:,}, {result['errors']}, {took:.1f} s")
    report.note(f"/time every 20 ms ({len(flood_time):,} during the flood), publish every "
                "100 ms, open-loop from the benchmark's process; the flood from a third.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
