"""The server under a presence flood (issue 11, item 7): a poll costs what it receives.

A real `suppgram-tui serve` process, flooded from another process (tests/helpers/presence_flood.py)
by 12 clients that each subscribe to the same 10,000 channels under their own uuid
(120,000 joins) and 300 clients on a channel each, all within about 1.5 s. Before, each
poll scanned the whole keyset's event log and each join was an object in it: `/time`
waited seconds. Now `/time` and publish,
probed open-loop from this process, must answer within a bound meant for a loaded
2-core machine, and a presence watcher must see exactly the joins it should.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.server_process import ServerProcess, free_port

WIDE, CHANNELS, OWN = 12, 10_000, 300
LATENCY_BOUND = 2.0  # seconds, p99: the old server took 5-20 s; a loaded CI box (2 cores
# shared with the rest of the suite) has been seen at 1.3 s, an idle one answers in 0.05 s
pytestmark = pytest.mark.slow

FLOOD_SCRIPT = Path(__file__).parent.parent / "helpers" / "presence_flood.py"


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def probe(http: aiohttp.ClientSession, url: str, every: float, stop: asyncio.Event,
                latencies: list[float]) -> None:
    """One request every `every` seconds, not waiting for the last: a stall shows."""
    async def once() -> None:
        started = time.monotonic()
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=60)) as response:
            await response.read()
            assert response.status == 200, url
        latencies.append(time.monotonic() - started)

    sent: list[asyncio.Task[None]] = []
    while not stop.is_set():
        sent.append(asyncio.ensure_future(once()))
        await asyncio.sleep(every)
    await asyncio.gather(*sent)


async def watch_presence(http: aiohttp.ClientSession, origin: str, channels: list[str],
                         seen: list[dict[str, Any]], stop: asyncio.Event) -> None:
    """A subscriber to `<channel>-pnpres` of `channels`, collecting every event."""
    url = f"http://{origin}/v2/subscribe/{SUBSCRIBE_KEY}/" + \
        ",".join(ch + "-pnpres" for ch in channels) + "/0"
    async with http.get(url, params={"tt": "0"}) as response:
        cursor = (await response.json(content_type=None))["t"]["t"]
    while not stop.is_set():
        async with http.get(url, params={"tt": cursor},
                            timeout=aiohttp.ClientTimeout(total=60)) as response:
            body = await response.json(content_type=None)
        cursor = body["t"]["t"]
        seen.extend({"channel": m["c"], **m["d"]} for m in body["m"])


async def test_a_presence_flood_leaves_time_and_publish_prompt(tmp_path):
    server = await ServerProcess(tmp_path / "flood.sqlite", free_port(),
                                 poll_timeout=2.0).start()
    base = f"http://{server.origin}"
    publish_url = f"{base}/publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/probe/0/%22hi%22?uuid=probe"
    stop, done_watching = asyncio.Event(), asyncio.Event()
    time_latency: list[float] = []
    publish_latency: list[float] = []
    joins: list[dict[str, Any]] = []
    try:
        async with aiohttp.ClientSession() as http:
            watcher = asyncio.ensure_future(
                watch_presence(http, server.origin, ["c0", f"c{CHANNELS - 1}"], joins,
                               done_watching))
            await asyncio.sleep(0.5)
            probes = [asyncio.ensure_future(probe(http, f"{base}/time/0", 0.025, stop,
                                                  time_latency)),
                      asyncio.ensure_future(probe(http, publish_url, 0.1, stop,
                                                  publish_latency))]
            flood = await asyncio.create_subprocess_exec(
                sys.executable, str(FLOOD_SCRIPT), server.origin, SUBSCRIBE_KEY, str(WIDE),
                str(CHANNELS), str(OWN), stdout=asyncio.subprocess.PIPE)
            out, _ = await asyncio.wait_for(flood.communicate(), 120)
            stop.set()
            await asyncio.gather(*probes)
            await asyncio.sleep(1.0)  # the watcher's last poll
            done_watching.set()
            await asyncio.wait_for(watcher, 10)
    finally:
        await server.kill()

    assert json.loads(out) == {"polls": WIDE + OWN, "errors": 0}
    for channel in ("c0", f"c{CHANNELS - 1}"):
        on_it = [e for e in joins if e["channel"] == channel + "-pnpres"]
        assert sorted(e["uuid"] for e in on_it) == sorted(f"wide-{i}" for i in range(WIDE))
        assert {e["action"] for e in on_it} == {"join"}
        assert sorted(e["occupancy"] for e in on_it) == list(range(1, WIDE + 1))
    assert len(time_latency) > 40 and len(publish_latency) > 10
    assert p99(time_latency) < LATENCY_BOUND, f"/time p99 {p99(time_latency):.3f} s"
    assert p99(publish_latency) < LATENCY_BOUND, f"publish p99 {p99(publish_latency):.3f} s"
