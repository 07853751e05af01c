"""Scale: 10,000 conversations x 50 messages: memory, and keys during a 500 msg/s burst.

History (10,000 channels in 5 groups of 2,000, 50 messages each) is written straight
into the server's SQLite file; the server runs on it in its own process. The headless
console (120 x 50) starts (backfill: the newest 25 of each), then the agent presses
Down in the sidebar every 150 ms: first with no traffic (the baseline), then while
customers publish 500 msg/s across all 10,000 channels. Keypress-to-render is the time
from the key until the transcript draws the newly selected conversation (a wrapped
`Transcript.render_line`). RSS is this process's (the console's), read from /proc.

Run: python bench/scale.py [--quick] [--channels 10000] [--per-channel 50] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    CustomersProcess,
    Report,
    ServerProcess,
    channel_names,
    fmt,
    percentile,
    rss_mb,
    seed_history,
    verdict,
    wait_until,
)


class KeyProbe:
    """Times Down-key presses until the transcript draws the conversation they opened."""

    def __init__(self, app: Any) -> None:
        from suppgram_tui.ui.widgets.transcript import Transcript

        self.transcript = app.console_screen.query_one(Transcript)
        self.pressed_at: float | None = None
        self.latencies: list[float] = []
        self.shown: str | None = None
        render_line = self.transcript.render_line

        def drawing(y: int) -> Any:
            view = self.transcript.view
            channel = view.channel if view is not None else None
            if self.pressed_at is not None and channel != self.shown:
                self.latencies.append(time.perf_counter() - self.pressed_at)
                self.pressed_at = None
            self.shown = channel
            return render_line(y)

        self.transcript.render_line = drawing

    async def press(self, pilot: Any, count: int, every: float) -> list[float]:
        self.latencies = []
        for _ in range(count):
            self.pressed_at = time.perf_counter()
            await pilot.press("down")
            await asyncio.sleep(every)
            self.pressed_at = None  # a key that opened nothing new is not timed
        return [v * 1000 for v in self.latencies]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 x 50, 10 s burst")
    parser.add_argument("--channels", type=int, default=None)
    parser.add_argument("--per-channel", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=None, help="burst length")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument the burst")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.channels = args.channels or (2000 if args.quick else 10000)
    args.seconds = args.seconds or (10.0 if args.quick else 30.0)
    benchlib.quiet_logging()
    channels = channel_names(args.channels)
    groups = benchlib.group_names(len(channels))
    report = Report(f"Scale: {args.channels:,} conversations x {args.per_channel} messages, "
                    f"keys during a {args.rate:.0f} msg/s burst")
    rss_empty = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "server.sqlite"
        seed_history(data, channels, args.per_channel)
        async with ServerProcess(data=data) as server:
            started = time.perf_counter()
            app = benchlib.make_console(server.origin, Path(tmp) / "store.json", groups)
            async with app.run_test(headless=True, size=(120, 50)) as pilot:
                await wait_until(lambda: app.console_screen is not None, 600,
                                 what="console connected")
                conversations = app.console_screen.conversation_list
                await wait_until(lambda: len(conversations.rows) >= len(channels), 120,
                                 what="every conversation listed")
                startup = time.perf_counter() - started
                await pilot.pause(2.0)
                inbox = app.console_screen.inbox
                entries = sum(len(v.entries) for v in inbox.conversations.values())
                rss_loaded = rss_mb()
                probe = KeyProbe(app)
                idle = await probe.press(pilot, 20 if args.quick else 40, 0.15)
                customers = await CustomersProcess(server.origin, channels,
                                                   seconds=args.seconds, rate=args.rate,
                                                   concurrency=64).start()
                rss_peak = rss_loaded
                busy: list[float] = []
                with benchlib.profiled(args.profile):
                    while not customers.done.is_set():
                        busy += await probe.press(pilot, 5, 0.15)
                        rss_peak = max(rss_peak, rss_mb())
                await customers.wait(60)
                held = customers.rate
                entries_after = sum(len(v.entries) for v in inbox.conversations.values())
                gc.collect()
                rss_after = rss_mb()
    idle99, busy99 = percentile(idle, 99), percentile(busy, 99)
    report.add("startup until every conversation is listed", f"{startup:.1f} s")
    report.add("RSS, console process, loaded (before the burst)", f"{fmt(rss_loaded)} MB",
               f"{fmt(rss_empty)} MB before the console", "", "<= 200 MB",
               verdict(rss_loaded <= 200))
    report.add("RSS, peak during the burst", f"{fmt(rss_peak)} MB", "", "", "<= 200 MB",
               verdict(rss_peak <= 200))
    report.add("keypress to render, idle: p50 / p99",
               f"{fmt(percentile(idle, 50))} / {fmt(idle99)} ms", f"n={len(idle)}", "1.00")
    report.add(f"keypress to render, during {args.rate:.0f} msg/s: p50 / p99",
               f"{fmt(percentile(busy, 50))} / {fmt(busy99)} ms",
               f"idle p99 {fmt(idle99)} ms", f"{busy99 / idle99:.1f}", "p99 <= 50 ms",
               verdict(busy99 <= 50))
    report.note(f"{entries:,} entries in memory after the backfill ({entries_after:,} after "
                f"the burst, RSS {fmt(rss_after)} MB after a full collection); burst held "
                f"{held:.0f} msg/s for {args.seconds:.0f} s; {len(busy)} keys timed in it.")
    report.note("Server in its own process (bench/_serve.py), history seeded into SQLite; "
                "customers in bench/_customers.py, open loop.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
