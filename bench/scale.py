"""Scale: 10,000 conversations x 50 messages: memory, and keys during a 500 msg/s burst.

History (10,000 channels in 5 groups of 2,000, 50 messages each) is written straight
into the server's SQLite file; the server runs on it in its own process. The headless
console (120 x 50) starts (backfill: the newest 25 of each), then the agent presses
Down in the sidebar every 150 ms and types a word into the composer (then rubs it out),
first with no traffic (the baseline), then while customers publish 500 msg/s across all
10,000 channels. Keys go in as a terminal sends them (bytes through Textual's XTerm
parser into the driver); keypress-to-screen is the time from those bytes until the frame
showing their effect (the next conversation's transcript, the composer's new text) has
been composed and encoded for the terminal. RSS is this process's (the console's), read
from /proc; frames' CPU from `time.process_time` around each frame.

Run: python bench/scale.py [--quick] [--channels 10000] [--per-channel 50] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import tempfile
import time
from collections.abc import Callable
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

WORD = "thanks, one moment"
"""Typed into the composer key by key, 50 ms apart (a fast typist), then rubbed out."""


class TerminalKeys:
    """Keys as a terminal delivers them: bytes through Textual's own XTerm parser into the
    app's driver (what the Linux driver's input thread does with what it reads), timed
    until the frame that shows their effect has been composed and turned into the bytes
    a terminal would be sent (headless, Textual skips that last step: it is done here)."""

    DOWN, BACKSPACE, ESCAPE = "\x1b[B", "\x7f", "\x1b"

    def __init__(self, app: Any) -> None:
        from textual._xterm_parser import XTermParser

        from suppgram_tui.ui.widgets.composer import Composer
        from suppgram_tui.ui.widgets.transcript import Transcript

        self.app = app
        self.parser = XTermParser()
        screen = app.console_screen
        self.transcript = screen.query_one(Transcript)
        self.composer = screen.query_one(Composer)
        self.pressed_at: float | None = None
        self.seen: Callable[[], bool] = lambda: False
        """Whether the key's effect is on screen, checked after each frame."""
        self.latencies: list[float] = []
        self.shown: str | None = None
        self._new_channel_drawn = False
        render_lines, display = self.transcript.render_lines, app._display

        def drawing(crop: Any) -> Any:
            view = self.transcript.view
            channel = view.channel if view is not None else None
            if channel != self.shown:
                self._new_channel_drawn = True
            self.shown = channel
            return render_lines(crop)

        def displaying(screen: Any, update: Any) -> None:
            display(screen, update)
            if update is not None and app.is_headless:
                update.render_segments(app.console)  # what a terminal would be sent
            if self.pressed_at is not None and self.seen():
                self.latencies.append(time.perf_counter() - self.pressed_at)
                self.pressed_at = None

        self.transcript.render_lines = drawing
        app._display = displaying

    def send(self, data: str) -> None:
        for event in self.parser.feed(data):
            self.app._driver.process_message(event)

    async def press(self, data: str, seen: Callable[[], bool], every: float) -> None:
        """One key; timed if `seen` becomes true within `every` seconds."""
        self._new_channel_drawn = False
        self.seen, self.pressed_at = seen, time.perf_counter()
        self.send(data)
        await asyncio.sleep(every)
        if data == self.ESCAPE:
            for event in self.parser.tick():  # a lone ESC is a key once no more follows
                self.app._driver.process_message(event)
            await asyncio.sleep(every)
        self.pressed_at = None  # a key that showed nothing new is not timed

    async def downs(self, count: int, every: float) -> list[float]:
        """Down in the list: timed until the next conversation's transcript is drawn."""
        self.latencies = []
        for _ in range(count):
            await self.press(self.DOWN, lambda: self._new_channel_drawn, every)
        return [v * 1000 for v in self.latencies]

    async def typing(self, text: str, every: float) -> list[float]:
        """Type `text` (the first key hands the list's keys to the composer), rub it out,
        and go back to the list (Escape): each key timed until the composer shows it."""
        self.latencies = []
        for count in range(1, len(text) + 1):
            await self.press(text[count - 1], lambda n=count: len(self.composer.text) == n,
                             every)
        for count in range(len(text) - 1, -1, -1):
            await self.press(self.BACKSPACE,
                             lambda n=count: len(self.composer.text) == n, every)
        typed = [v * 1000 for v in self.latencies]
        await self.press(self.ESCAPE, lambda: False, every)
        return typed


def print_memory_by_type(top: int = 20) -> None:
    """Shallow sizes of the objects the collector tracks, by type (strings and ints
    inside containers are not tracked: their share is in the containers' count)."""
    import sys
    from collections import Counter

    gc.unfreeze()  # the console froze what startup loaded: get_objects() skips that
    gc.collect()
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    untracked: set[int] = set()
    for thing in gc.get_objects():
        name = type(thing).__qualname__
        sizes[name] += sys.getsizeof(thing)
        counts[name] += 1
        for inner in gc.get_referents(thing):  # strings, ints, floats: not tracked
            if not gc.is_tracked(inner) and id(inner) not in untracked:
                untracked.add(id(inner))
                inner_name = type(inner).__qualname__
                sizes[inner_name] += sys.getsizeof(inner)
                counts[inner_name] += 1
    gc.freeze()
    for name, size in sizes.most_common(top):
        print(f"{size / 1e6:8.1f} MB {counts[name]:>9,} {name}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 x 50, 10 s burst")
    parser.add_argument("--channels", type=int, default=None)
    parser.add_argument("--per-channel", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=None, help="burst length")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument the burst "
                        "(FILE.cprofile: cProfile in CPU time)")
    parser.add_argument("--profile-idle", metavar="FILE", help="profile the keys pressed "
                        "with no traffic (the same formats)")
    parser.add_argument("--memory-by-type", action="store_true",
                        help="print the object types holding the most memory once loaded")
    parser.add_argument("--trace-burst", action="store_true",
                        help="tracemalloc the burst: where what it allocates and keeps is")
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
                if args.memory_by_type:
                    print_memory_by_type()
                probe = TerminalKeys(app)
                frames = benchlib.FrameMeter(app.console_screen)
                with benchlib.profiled(args.profile_idle):
                    idle = await probe.downs(20 if args.quick else 40, 0.15)
                    idle_typing = await probe.typing(WORD, 0.05)
                frames.recording = True
                cpu_start = benchlib.cpu_seconds()
                server_cpu_start = benchlib.cpu_seconds(server.pid)
                burst_start = time.perf_counter()
                customers = await CustomersProcess(server.origin, channels,
                                                   seconds=args.seconds, rate=args.rate,
                                                   concurrency=64).start()
                customers_cpu = 0.0
                rss_peak = rss_loaded
                if args.trace_burst:
                    import tracemalloc
                    tracemalloc.start(8)
                busy: list[float] = []
                busy_typing: list[float] = []
                with benchlib.profiled(args.profile):
                    while not customers.done.is_set():
                        busy += await probe.downs(5, 0.15)
                        rss_peak = max(rss_peak, rss_mb())
                        busy_typing += await probe.typing(WORD, 0.05)
                        rss_peak = max(rss_peak, rss_mb())
                        if customers.proc is not None:  # the last reading before it exits
                            reading = benchlib.cpu_seconds(customers.proc.pid)
                            customers_cpu = max(customers_cpu, reading) \
                                if reading == reading else customers_cpu
                cpu_burst = benchlib.cpu_seconds() - cpu_start
                server_cpu = benchlib.cpu_seconds(server.pid) - server_cpu_start
                burst_wall = time.perf_counter() - burst_start
                if args.trace_burst:
                    snapshot = tracemalloc.take_snapshot()
                    current, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                    print(f"burst allocations alive {current / 1e6:.1f} MB, at most "
                          f"{peak / 1e6:.1f} MB at once")
                    for stat in snapshot.statistics("traceback")[:12]:
                        print(f"{stat.size / 1e6:7.1f} MB {stat.count:>8,} blocks")
                        for line in stat.traceback.format()[-8:]:
                            print("    ", line)
                frames.recording = False
                await customers.wait(60)
                held = customers.rate
                entries_after = sum(len(v.entries) for v in inbox.conversations.values())
                gc.collect()
                rss_after = rss_mb()
    idle99, busy99 = percentile(idle, 99), percentile(busy, 99)
    typing99, busy_typing99 = percentile(idle_typing, 99), percentile(busy_typing, 99)
    report.add("startup until every conversation is listed", f"{startup:.1f} s")
    report.add("RSS, console process, loaded (before the burst)", f"{fmt(rss_loaded)} MB",
               f"{fmt(rss_empty)} MB before the console", "", "<= 150 MB",
               verdict(rss_loaded <= 150))
    report.add("RSS, peak during the burst", f"{fmt(rss_peak)} MB", "", "", "<= 150 MB",
               verdict(rss_peak <= 150))
    report.add("Down in the list to screen, idle: p50 / p99",
               f"{fmt(percentile(idle, 50))} / {fmt(idle99)} ms", f"n={len(idle)}", "1.00")
    report.add(f"Down in the list to screen, during {args.rate:.0f} msg/s: p50 / p99",
               f"{fmt(percentile(busy, 50))} / {fmt(busy99)} ms",
               f"idle p99 {fmt(idle99)} ms", f"{busy99 / idle99:.1f}", "p99 <= 50 ms",
               verdict(busy99 <= 50))
    report.add("typing into the composer to screen, idle: p50 / p99",
               f"{fmt(percentile(idle_typing, 50))} / {fmt(typing99)} ms",
               f"n={len(idle_typing)}", "1.00")
    report.add(f"typing into the composer to screen, during {args.rate:.0f} msg/s: p50 / p99",
               f"{fmt(percentile(busy_typing, 50))} / {fmt(busy_typing99)} ms",
               f"idle p99 {fmt(typing99)} ms", f"{busy_typing99 / typing99:.1f}",
               "p99 <= 50 ms", verdict(busy_typing99 <= 50))
    report.note(f"{entries:,} entries in memory after the backfill ({entries_after:,} after "
                f"the burst, RSS {fmt(rss_after)} MB after a full collection); burst held "
                f"{held:.0f} msg/s for {args.seconds:.0f} s; {len(busy)} Downs and "
                f"{len(busy_typing)} typed keys timed in it. Console CPU in the burst "
                f"{cpu_burst:.1f} s ({cpu_burst / args.seconds:.0%} of a core); frames: "
                f"{frames.summary()}.")
    cores = len(os.sched_getaffinity(0))
    report.note(f"The machine during the burst ({burst_wall:.0f} s, {cores} cores): "
                f"console {cpu_burst / burst_wall:.0%} of a core, server "
                f"{server_cpu / burst_wall:.0%}, customers at least "
                f"{customers_cpu / burst_wall:.0%}: "
                f"{(cpu_burst + server_cpu + customers_cpu) / burst_wall:.2f} cores busy.")
    report.note("Server in its own process (bench/_serve.py), history seeded into SQLite; "
                "customers in bench/_customers.py, open loop.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
