"""Soak: the headless console for 10 minutes at a moderate rate; nothing may keep growing.

Customers publish `--rate` msg/s (default 10) over 200 channels; the agent replies in the
open conversation every 5 s (through the outbox). Every 10 s the benchmark samples the
console process's RSS, the server's RSS, event-log length and parked polls (through
bench/_serve.py's stats pipe), the outbox, the inbox's conversations and entries, the
screen's message queue, the app's notifications and the asyncio tasks, and fits a slope
(per minute) after the first fifth (warm-up).

Memory: the console keeps the messages it has seen (PubNub is the archive, but a loaded
conversation stays loaded), so RSS grows with them by design. To tell that from a leak,
tracemalloc runs throughout and two snapshots (end of warm-up, end of run) are compared
by file: growth in the code that holds messages (inbox, converter, receiver, the JSON
decoder that built the payloads) is the messages; growth anywhere else must be ~0.

Run: python bench/soak.py [--quick] [--minutes 10] [--rate 10]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    CustomersProcess,
    Report,
    ServerProcess,
    add_channels,
    channel_names,
    fmt,
    rss_mb,
    slope,
    verdict,
    wait_until,
)

SAMPLE_EVERY = 10.0


KEPT_MESSAGES = ("suppgram_tui/inbox/", "suppgram_tui/converters.py",
                 "suppgram_tui/link/receiver.py", "suppgram_tui/model.py", "json/decoder.py")
"""Where the objects of a kept message are allocated (entry, decoded message, payload)."""


def attribute(report: Report, snapshots: list[tuple[float, tracemalloc.Snapshot]]) -> None:
    """Traced growth between the two snapshots, by file: kept messages and the rest."""
    if len(snapshots) < 2:
        return
    (t0, first), (t1, last) = snapshots[0], snapshots[-1]
    minutes = max((t1 - t0) / 60, 1e-9)
    by_file: dict[str, int] = {}
    for stat in last.compare_to(first, "filename"):
        name = stat.traceback[0].filename
        by_file[name] = by_file.get(name, 0) + stat.size_diff
    kept = sum(v for k, v in by_file.items() if any(p in k for p in KEPT_MESSAGES))
    rest = sum(v for k, v in by_file.items() if not any(p in k for p in KEPT_MESSAGES))
    mb = 1024 * 1024
    report.add("traced growth: messages kept (inbox, converter, payloads)", "", "",
               f"{kept / mb:,.1f} MB", f"{kept / mb / minutes:+.2f}")
    report.add("traced growth: everything else", "", "", f"{rest / mb:,.1f} MB",
               f"{rest / mb / minutes:+.2f}", "<= 0.5 MB/min",
               verdict(rest / mb / minutes <= 0.5))
    top = sorted(by_file.items(), key=lambda kv: -kv[1])[:6]
    report.note("Largest traced growth by file: " + "; ".join(
        f"{k.split('site-packages/')[-1].split('/work/main/')[-1]} {v / 1024:+,.0f} KiB"
        for k, v in top) + ".")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 minute")
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.minutes = args.minutes or (1.0 if args.quick else 10.0)
    benchlib.quiet_logging()
    channels = channel_names(args.channels)
    report = Report(f"Soak: {args.minutes:g} min at {args.rate:g} msg/s over "
                    f"{args.channels} conversations",
                    columns=("measure", "first", "last", "max", "slope / min", "target",
                             "verdict"))
    samples: list[dict[str, float]] = []
    snapshots: list[tuple[float, tracemalloc.Snapshot]] = []
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        async with ServerProcess() as server:
            await add_channels(server.origin, channels)
            app = benchlib.make_console(server.origin, Path(tmp) / "store.json")
            async with app.run_test(headless=True, size=(120, 50)) as pilot:
                await wait_until(lambda: app.console_screen is not None, 60,
                                 what="console connected")
                inbox = app.console_screen.inbox
                customers = await CustomersProcess(server.origin, channels,
                                                   seconds=args.minutes * 60, rate=args.rate,
                                                   concurrency=16).start()
                started = time.monotonic()
                next_sample = next_reply = started
                replies = 0
                while not customers.done.is_set():
                    now = time.monotonic()
                    if now >= next_reply and app.console_screen.channel is not None:
                        await inbox.send_reply(app.console_screen.channel, f"Reply {replies}")
                        replies += 1
                        next_reply += 5.0
                    if now >= next_sample:
                        samples.append(await sample(app, server, now - started))
                        next_sample += SAMPLE_EVERY
                        if not snapshots and now - started >= args.minutes * 60 / 5:
                            snapshots.append((now - started, tracemalloc.take_snapshot()))
                    await asyncio.sleep(0.2)
                await customers.wait(60)
                await pilot.pause(2.0)
                samples.append(await sample(app, server, time.monotonic() - started))
                snapshots.append((time.monotonic() - started, tracemalloc.take_snapshot()))
                sent = customers.sent
                seen = sum(1 for v in inbox.conversations.values() for e in v.entries
                           if e.author.value == "customer")
    summarise(report, samples, args, sent, seen, replies)
    attribute(report, snapshots)
    report.publish(save=not args.no_save)


async def sample(app: Any, server: ServerProcess, elapsed: float) -> dict[str, float]:
    inbox = app.console_screen.inbox
    stats = await server.stats()
    gc.collect()
    row = {
        "t": elapsed / 60,
        "rss": rss_mb(),
        "server_rss": stats["rss_mb"],
        "log": stats["log_events"],
        "parked": stats["parked"],
        "outbox": inbox.status().pending_replies,
        "conversations": len(inbox.conversations),
        "entries": sum(len(v.entries) for v in inbox.conversations.values()),
        "queue": app.console_screen._message_queue.qsize(),
        "notifications": len(app._notifications),
        "tasks": len(asyncio.all_tasks()),
    }
    print("  " + ", ".join(f"{k} {v:,.1f}" for k, v in row.items()), flush=True)
    return row


def summarise(report: Report, samples: list[dict[str, float]], args: argparse.Namespace,
              sent: int, seen: int, replies: int) -> None:
    steady = samples[len(samples) // 5:] if len(samples) >= 5 else samples

    def add(name: str, key: str, unit: str = "", target: str = "", digits: int = 1) -> float:
        values = [s[key] for s in samples]
        per_min = slope([(s["t"], s[key]) for s in steady])
        ok = None
        if target == "flat":  # not growing beyond noise: half a unit, or 5% of the peak,
            ok = per_min <= max(0.5, 0.05 * max(values))  # per minute
        report.add(name, f"{fmt(values[0], digits)} {unit}", f"{fmt(values[-1], digits)} {unit}",
                   f"{fmt(max(values), digits)} {unit}", f"{per_min:+,.2f}", target,
                   "" if ok is None else verdict(ok))
        return per_min

    add("console RSS (tracemalloc on)", "rss", "MB")
    add("console entries held (every message seen)", "entries", digits=0)
    add("server RSS (history is in its in-memory SQLite)", "server_rss", "MB")
    log_slope = add("server subscribe log (events)", "log", digits=0)
    report.note(f"The server's subscribe log keeps 20 minutes of events (PubNub's buffer), "
                f"so within {args.minutes:g} minutes it grows by design "
                f"({log_slope:,.0f}/min at {args.rate:g} msg/s); it is pruned beyond that.")
    add("server parked polls", "parked", target="flat", digits=0)
    add("outbox (replies not yet acknowledged)", "outbox", target="flat", digits=0)
    add("screen message queue", "queue", target="flat", digits=0)
    add("asyncio tasks", "tasks", target="flat", digits=0)
    add("notifications on screen", "notifications", target="flat", digits=0)
    report.note(f"{sent:,} customer messages published, {seen:,} shown; {replies} agent "
                f"replies sent; samples every {SAMPLE_EVERY:.0f} s, slopes after the first "
                "fifth.")


if __name__ == "__main__":
    asyncio.run(main())
