"""Ingest: how many customer messages a second get through, against a bare subscriber.

Customers publish a fixed number of messages as fast as the server accepts into N
channels of the support group. Messages per second through:
  (a) a bare PubNubAsyncio group subscriber that only counts (the baseline; run first
      and last, the mean is the baseline),
  (b) link + converter + inbox + store (an Inbox built as tests/inbox_harness.py does),
  (c) the full console app running headless (Textual run_test), counted at the inbox.
Rate = messages / (last one received - first publish). Then (c) is held for 60 s at the
target rate 0.3 x (a): every 0.5 s the backlog (published - reached the inbox), the
render lag (now - publish time of the newest message drawn in the sidebar) and the
screen's message queue are sampled; their slopes say whether a backlog grows.

Run: python bench/ingest.py [--quick] [--channels 200] [--messages 20000] [--sustain 60]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    GROUP,
    CustomersProcess,
    Report,
    ServerProcess,
    add_channels,
    channel_names,
    fmt,
    sdk_client,
    sent_time,
    slope,
    verdict,
    wait_until,
)


class Tally:
    """Counts deliveries; remembers when the last one came."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0

    def hit(self) -> None:
        self.count += 1
        self.last = time.time()


async def burst(origin: str, channels: list[str], tally: Tally, args: argparse.Namespace
                ) -> tuple[float, float]:
    """Publish `args.messages` flat out; returns (delivered/s, published/s)."""
    customers = await CustomersProcess(origin, channels, count=args.messages,
                                       concurrency=args.concurrency).start()
    try:
        await customers.wait(timeout=600)
        try:
            await wait_until(lambda: tally.count >= customers.sent, timeout=120,
                             what="every message delivered")
        except TimeoutError:
            print(f"  only {tally.count} of {customers.sent} delivered", flush=True)
    finally:
        await customers.stop()
    assert customers.started is not None
    return tally.count / max(tally.last - customers.started, 1e-9), customers.rate


async def bare_subscriber(origin: str, channels: list[str], args: argparse.Namespace
                          ) -> tuple[float, float]:
    from pubnub.callbacks import SubscribeCallback
    from pubnub.enums import PNStatusCategory

    tally = Tally()
    connected = asyncio.Event()

    class Counter(SubscribeCallback):
        def message(self, pubnub: Any, message: Any) -> None:
            tally.hit()

        def status(self, pubnub: Any, status: Any) -> None:
            if status.category == PNStatusCategory.PNConnectedCategory:
                connected.set()

        def presence(self, pubnub: Any, presence: Any) -> None:
            pass

    client = sdk_client(origin, "bench-bare")
    client.add_listener(Counter())
    client.subscribe().channel_groups([GROUP]).execute()
    try:
        await asyncio.wait_for(connected.wait(), 30)
        return await burst(origin, channels, tally, args)
    finally:
        client.unsubscribe_all()
        await client.stop()


async def inbox_pipeline(origin: str, channels: list[str], args: argparse.Namespace
                         ) -> tuple[float, float]:
    from suppgram_tui.inbox import EntryAdded

    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        inbox, store = benchlib.make_inbox(origin, Path(tmp) / "store.json")
        inbox.listen(lambda e: tally.hit() if isinstance(e, EntryAdded) else None)
        await inbox.start()
        try:
            return await burst(origin, channels, tally, args)
        finally:
            await inbox.stop()
            store.close()


class ConsoleProbe:
    """Watches the headless console: inbox arrivals and what the sidebar draws."""

    def __init__(self, app: Any) -> None:
        from suppgram_tui.inbox import EntryAdded

        self.app = app
        self.tally = Tally()
        self.newest_sent = 0.0
        self.newest_drawn_sent = 0.0
        screen = app.console_screen
        inbox = screen.inbox
        conversations = screen.conversation_list
        render_row = conversations._render_row

        def on_event(event: Any) -> None:
            if isinstance(event, EntryAdded):
                self.tally.hit()
                self.newest_sent = max(self.newest_sent, sent_time(event.entry.meta) or 0.0)

        def drawing(view: Any, selected: bool, width: int) -> Any:
            last = view.last_entry
            if last is not None:
                self.newest_drawn_sent = max(self.newest_drawn_sent, sent_time(last.meta) or 0)
            return render_row(view, selected, width)

        inbox.listen(on_event)
        conversations._render_row = drawing

    @property
    def queued(self) -> int:
        return self.app.console_screen._message_queue.qsize()


async def console_app(origin: str, channels: list[str], args: argparse.Namespace,
                      report: Report, baseline: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        app = benchlib.make_console(origin, Path(tmp) / "store.json")
        async with app.run_test(headless=True, size=(120, 50)):
            await wait_until(lambda: app.console_screen is not None, timeout=60,
                             what="console connected")
            probe = ConsoleProbe(app)
            with benchlib.profiled(args.profile):
                rate, published = await burst(origin, channels, probe.tally, args)
            await wait_until(lambda: probe.newest_drawn_sent >= probe.newest_sent, 30,
                             what="sidebar caught up")
            await sustain(origin, channels, probe, args, report, 0.3 * baseline)
        return rate, published


async def sustain(origin: str, channels: list[str], probe: ConsoleProbe,
                  args: argparse.Namespace, report: Report, rate: float) -> None:
    """Hold the target rate and watch for a growing backlog."""
    before = probe.tally.count
    customers = await CustomersProcess(origin, channels, seconds=args.sustain, rate=rate,
                                       concurrency=args.concurrency).start()
    backlog: list[tuple[float, float]] = []
    lag: list[tuple[float, float]] = []
    queue: list[tuple[float, float]] = []
    started = time.monotonic()
    try:
        while not customers.done.is_set():
            await asyncio.sleep(0.5)
            now = time.time()
            elapsed = time.monotonic() - started
            if customers.sent and probe.newest_drawn_sent:
                backlog.append((elapsed, customers.sent - (probe.tally.count - before)))
                lag.append((elapsed, (now - probe.newest_drawn_sent) * 1000))
                queue.append((elapsed, probe.queued))
        await customers.wait(timeout=60)
    finally:
        await customers.stop()
    steady = lag[len(lag) // 5:] or lag  # the first fifth is warm-up
    mean_lag = sum(v for _, v in steady) / max(len(steady), 1)
    lag_slope = slope(steady)
    backlog_slope = slope(backlog[len(backlog) // 5:] or backlog)
    max_queue = max((v for _, v in queue), default=0)
    held = customers.rate
    report.add(f"(c) sustained {args.sustain:.0f} s at 0.3 x (a): rate held", f"{fmt(held)}/s",
               f"{fmt(rate)}/s asked", f"{held / rate:.2f}" if rate else "", ">= 0.95",
               verdict(held >= 0.95 * rate))
    # a backlog that grows by 1% of the rate a second (0.6 s of lag a minute) is growth;
    # less is within the noise of 0.5 s samples of a 2-core machine
    report.add("(c) render lag, mean / slope", f"{fmt(mean_lag)} ms / {lag_slope:+.2f} ms/s",
               "", "", "slope <= 10 ms/s", verdict(lag_slope <= 10.0))
    report.add("(c) backlog (published - in inbox), final / slope",
               f"{backlog[-1][1] if backlog else 0:.0f} msgs / {backlog_slope:+.2f} msgs/s",
               "", "", "slope <= 1% of rate", verdict(backlog_slope <= 0.01 * rate))
    report.add("(c) screen message queue, max", f"{max_queue:.0f}")


async def run_variant(name: str, args: argparse.Namespace, report: Report,
                      baseline: float = 0.0) -> tuple[float, float, dict[str, Any]]:
    channels = channel_names(args.channels)
    async with ServerProcess() as server:
        await add_channels(server.origin, channels)
        if name == "a":
            rate, published = await bare_subscriber(server.origin, channels, args)
        elif name == "b":
            rate, published = await inbox_pipeline(server.origin, channels, args)
        else:
            rate, published = await console_app(server.origin, channels, args, report,
                                                 baseline)
        stats = await server.stats()
    print(f"  ({name}) {rate:,.0f} msg/s delivered, customers published {published:,.0f}/s",
          flush=True)
    return rate, published, stats


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages, 15 s hold")
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--sustain", type=float, default=None)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument the (c) burst")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    args.messages = args.messages or (5000 if args.quick else 20000)
    args.sustain = args.sustain or (15.0 if args.quick else 60.0)
    benchlib.quiet_logging()
    report = Report(f"Ingest: {args.messages:,} messages into {args.channels} channels")

    a1, pub_a1, _ = await run_variant("a", args, report)
    b, pub_b, _ = await run_variant("b", args, report)
    a2, pub_a2, _ = await run_variant("a", args, report)
    baseline = (a1 + a2) / 2
    c_rows_at = len(report.rows)
    c, pub_c, _ = await run_variant("c", args, report, baseline)
    sustained_rows = report.rows[c_rows_at:]
    del report.rows[c_rows_at:]

    report.add("(a) bare SDK group subscriber", f"{fmt(baseline, 0)} msg/s",
               f"runs {a1:,.0f} and {a2:,.0f}", "1.00", "baseline")
    report.add("(b) link + converter + inbox + store", f"{fmt(b, 0)} msg/s",
               f"{fmt(baseline, 0)} msg/s", f"{b / baseline:.2f}", ">= 0.80",
               verdict(b >= 0.8 * baseline))
    report.add("(c) full console, headless (at the inbox)", f"{fmt(c, 0)} msg/s",
               f"{fmt(baseline, 0)} msg/s", f"{c / baseline:.2f}", ">= 0.30",
               verdict(c >= 0.3 * baseline))
    report.rows.extend(sustained_rows)
    report.add("customers' publish rate during the bursts (a, b, a, c)",
               " / ".join(f"{p:,.0f}" for p in (pub_a1, pub_b, pub_a2, pub_c)) + " msg/s")
    report.note("Server: `local_pubnub` in its own process (bench/_serve.py); customers: "
                "bench/_customers.py in a third, 32 publishes in flight; consumer in the "
                "benchmark's process. A fresh server for every run.")
    report.note("Rate = messages / (last delivery - first publish); a consumer slower than "
                "the customers drains the server's subscribe buffer at its own pace.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
