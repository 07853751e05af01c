"""Startup: 2,000 channels x 25 messages of history until the sidebar is complete.

The history is written straight into the server's SQLite file, then the server starts
on it in its own process. The headless console (120 x 50) starts and is timed from
`run_test` until the sidebar lists all 2,000 conversations and has drawn them. Requests
are counted twice: by the console's link (`PubNubLink.requests`, by SDK endpoint) and by
the server (by path). Two agents:
  fresh:     no read markers, so unread counts come from the loaded history;
  returning: read markers older than everything loaded, so unread counts must come from
             the server (message counts, 100 channels a request).
Baseline, same run: a bare PubNubAsyncio client making the same calls the console
needs at minimum (list the group, fetch 500 channels x 25 a request, count 100 channels
a request), back to back: the network floor.

Run: python bench/startup.py [--quick] [--channels 2000] [--per-channel 25]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    Report,
    ServerProcess,
    channel_names,
    fmt,
    rss_mb,
    sdk_client,
    seed_history,
    verdict,
    wait_until,
)


async def console_start(origin: str, channels: list[str], store: Path,
                        server: ServerProcess) -> dict[str, Any]:
    groups = benchlib.group_names(len(channels))
    before = (await server.stats())["by_endpoint"]
    started = time.perf_counter()
    app = benchlib.make_console(origin, store, groups)
    drawn: list[float] = []
    async with app.run_test(headless=True, size=(120, 50)):
        await wait_until(lambda: app.console_screen is not None, 300,
                         interval=0.005, what="console connected")
        conversations = app.console_screen.conversation_list
        render_lines = conversations.render_lines  # the compositor asking for lines

        def drawing(crop: Any) -> Any:
            if len(conversations.rows) >= len(channels) and not drawn:
                drawn.append(time.perf_counter())
            return render_lines(crop)

        conversations.render_lines = drawing
        conversations.refresh()
        await wait_until(lambda: drawn, 300, interval=0.005, what="sidebar drawn")
        elapsed = drawn[0] - started
        link = app.runtime.link
        requests = Counter(link.requests)
        unread = sum(1 for v in app.console_screen.inbox.conversations.values() if v.unread)
        rss = rss_mb()
    after = (await server.stats())["by_endpoint"]
    server_requests = {k: after.get(k, 0) - before.get(k, 0) for k in after
                       if after.get(k, 0) != before.get(k, 0)}
    return {"seconds": elapsed, "requests": requests, "server": server_requests,
            "unread": unread, "rss": rss}


async def bare_floor(origin: str, channels: list[str], markers: bool) -> float:
    """The calls a console cannot avoid, made back to back by a bare SDK client."""
    client = sdk_client(origin, "bench-floor")
    started = time.perf_counter()
    try:
        for group in benchlib.group_names(len(channels)):
            await client.list_channels_in_channel_group().channel_group(group).future()
        for offset in range(0, len(channels), 500):
            await (client.fetch_messages().channels(channels[offset:offset + 500])
                   .maximum_per_channel(25).include_meta(True).include_uuid(True).future())
        if markers:
            for offset in range(0, len(channels), 100):
                batch = channels[offset:offset + 100]
                await (client.message_counts().channel(batch)
                       .channel_timetokens([1] * len(batch)).future())
        return time.perf_counter() - started
    finally:
        await client.stop()


def write_markers(path: Path, channels: list[str], timetoken: int) -> None:
    from suppgram_tui.store import AgentStore

    store = AgentStore(path)
    for channel in channels:
        store.set_read_marker(channel, timetoken)
    store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 channels")
    parser.add_argument("--channels", type=int, default=None)
    parser.add_argument("--per-channel", type=int, default=25)
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument the fresh start")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.channels = args.channels or (500 if args.quick else 2000)
    benchlib.quiet_logging()
    channels = channel_names(args.channels)
    report = Report(f"Startup: {args.channels:,} channels x {args.per_channel} messages "
                    "of history until the sidebar is complete",
                    columns=("agent", "time to sidebar", "floor (bare SDK)", "ratio",
                             "fetch requests", "count requests", "all console requests",
                             "target", "verdict"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "server.sqlite"
        seeded = time.perf_counter()
        oldest, _newest = seed_history(data, channels, args.per_channel)
        seeded = time.perf_counter() - seeded
        async with ServerProcess(data=data) as server:
            await bare_floor(server.origin, channels, True)  # warm the server's caches
            results = {}
            for agent in ("fresh", "returning"):
                store = Path(tmp) / f"{agent}.json"
                if agent == "returning":
                    write_markers(store, channels, oldest - 1)
                floor = await bare_floor(server.origin, channels, agent == "returning")
                with benchlib.profiled(args.profile if agent == "fresh" else None):
                    result = await console_start(server.origin, channels, store, server)
                results[agent] = (result, floor)
    max_fetch = -(-args.channels // 500)
    max_count = -(-args.channels // 100)
    for agent, (result, floor) in results.items():
        requests = result["requests"]
        fetch, count = requests["FetchMessages"], requests["MessageCount"]
        # the probe makes one fetch of a 1-channel page to see if history is on
        history_fetch = fetch - 1
        ok = history_fetch <= max_fetch and count <= max_count
        report.add(agent, f"{result['seconds']:.2f} s", f"{floor:.2f} s",
                   f"{result['seconds'] / floor:.1f}x", f"{history_fetch} (+1 probe)", str(count),
                   str(sum(requests.values())),
                   f"<= {max_fetch} fetch, <= {max_count} count", verdict(ok))
    for agent, (result, _floor) in results.items():
        report.note(f"{agent}: console requests by endpoint "
                    f"{dict(sorted(result['requests'].items()))}; server saw "
                    f"{dict(sorted(result['server'].items()))}; {result['unread']:,} "
                    f"conversations with unread badges; RSS {fmt(result['rss'])} MB.")
    report.note(f"History seeded straight into SQLite in {seeded:.1f} s; the server "
                "(bench/_serve.py) runs in its own process.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
