"""Latency: a customer's publish until the console has drawn it (sidebar row and pane).

1,000 conversations exist (5 messages of history each, seeded in the server's SQLite
file). The headless console (120 x 50) has the most recent one open and the sidebar at
the top, as it starts. Customers publish 200 msg/s spread over the 1,000 channels, a
tenth of them into the open conversation, open loop. Each message carries its
wall-clock publish time (`meta.sent`, taken in the customers' process); the console's
own drawing code is wrapped to time the rest:
  row:  `ConversationList._render_row` drawing the message's conversation (called when a
        row's cached strips are stale, i.e. when a change reaches the screen). Rows that
        newer conversations push below the visible ones before a frame are counted, not
        timed: at 200 msg/s over 1,000 channels more rows change per frame than fit;
  pane: the first `Transcript.render_lines` (the compositor asking for its lines) after
        a layout that includes the message, with the message's lines inside the visible
        part of the transcript;
  headline: messages into the open conversation, when both row and pane are drawn.
Baseline in the same run and at the same rate: a bare PubNubAsyncio group subscriber's
publish-to-callback time.

Run: python bench/latency.py [--quick] [--rate 200] [--channels 1000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import defaultdict
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
    sdk_client,
    seed_history,
    sent_time,
    verdict,
    wait_until,
)


class LatencyProbe:
    """Hooks on the console's sidebar and transcript; one latency per message and place."""

    def __init__(self, app: Any, hot: str) -> None:
        from suppgram_tui.inbox import EntryAdded
        from suppgram_tui.ui.widgets.transcript import Transcript

        self.hot = hot
        self.arrival: list[float] = []
        self.row: list[float] = []
        self.pane: list[float] = []
        self.both: list[float] = []
        self.hot_both: list[float] = []
        self.off_screen = 0
        """Messages whose row was pushed below the visible rows before a frame drew it."""
        self.recording = False
        self._row_pending: dict[str, list[tuple[Any, float]]] = defaultdict(list)
        self._pane_pending: list[tuple[Any, float]] = []
        self._pane_laid: list[tuple[Any, float, int]] = []
        self._row_done: dict[int, float] = {}
        self._pane_done: dict[int, float] = {}
        screen = app.console_screen
        conversations = screen.conversation_list
        transcript = screen.query_one(Transcript)
        self.transcript = transcript
        render_row, relayout, render_lines, touch = (
            conversations._render_row, transcript._relayout, transcript.render_lines,
            conversations.touch)

        def on_event(event: Any) -> None:
            if not (self.recording and isinstance(event, EntryAdded)):
                return
            sent = sent_time(event.entry.meta)
            if sent is None:
                return
            self.arrival.append(time.time() - sent)
            self._row_pending[event.channel].append((event.entry, sent))
            if event.channel == self.hot:
                self._pane_pending.append((event.entry, sent))

        def touching(channels: set[str], *, resort: bool = True) -> None:
            touch(channels, resort=resort)
            top = int(conversations.scroll_y) // 2
            visible = set(conversations.rows[top:top + conversations.size.height // 2 + 1])
            for channel in [c for c in self._row_pending if c not in visible]:
                self.off_screen += len(self._row_pending.pop(channel))

        def drawing_row(view: Any, selected: bool, width: int) -> Any:
            pending = self._row_pending.pop(view.channel, None)
            if pending:
                now = time.time()
                for entry, sent in pending:
                    self.row.append(now - sent)
                    self._done(entry, sent, now, self._row_done, self._pane_done)
            return render_row(view, selected, width)

        def laying_out(*, follow: bool) -> None:
            relayout(follow=follow)
            if transcript.view is not None and transcript.view.channel == self.hot:
                # new messages are appended: each pending one ends at the last line but
                # the blank separator, and stays there while more are appended below
                shown = {id(e) for e in transcript.view.entries}
                last = transcript.line_count - 2
                self._pane_laid += [(e, sent, last) for e, sent in self._pane_pending
                                    if id(e) in shown]
                self._pane_pending = [p for p in self._pane_pending if id(p[0]) not in shown]

        def drawing_lines(crop: Any) -> Any:
            if self._pane_laid:
                top = int(transcript.scroll_y)
                bottom = top + transcript.size.height
                drawn = [p for p in self._pane_laid if top <= p[2] < bottom]
                if drawn:
                    now = time.time()
                    for entry, sent, _line in drawn:
                        self.pane.append(now - sent)
                        self._done(entry, sent, now, self._pane_done, self._row_done)
                    self._pane_laid = [p for p in self._pane_laid if p not in drawn]
            return render_lines(crop)

        app.console_screen.inbox.listen(on_event)
        conversations._render_row = drawing_row
        conversations.touch = touching
        transcript._relayout = laying_out
        transcript.render_lines = drawing_lines

    def _done(self, entry: Any, sent: float, now: float, mine: dict[int, float],
              other: dict[int, float]) -> None:
        """Row-and-pane: a message of the open conversation counts once both are drawn."""
        if entry.channel != self.hot:
            self.both.append(now - sent)
            return
        if id(entry) in other:
            other.pop(id(entry))
            self.both.append(now - sent)
            self.hot_both.append(now - sent)
        else:
            mine[id(entry)] = now

    @property
    def undrawn(self) -> int:
        return sum(len(v) for v in self._row_pending.values()) + len(self._pane_pending) \
            + len(self._pane_laid)


async def console_run(origin: str, channels: list[str], args: argparse.Namespace
                      ) -> LatencyProbe:
    with tempfile.TemporaryDirectory() as tmp:
        app = benchlib.make_console(origin, Path(tmp) / "store.json")
        async with app.run_test(headless=True, size=(120, 50)):
            await wait_until(lambda: app.console_screen is not None, timeout=120,
                             what="console connected")
            conversations = app.console_screen.conversation_list
            await wait_until(lambda: len(conversations.rows) >= len(channels), 60,
                             what="every conversation listed")
            await wait_until(lambda: app.console_screen.channel is not None, 10, what="opened")
            hot = app.console_screen.channel  # the most recent, opened on its own at start
            assert conversations.scroll_y == 0 and conversations.rows[0] == hot
            probe = LatencyProbe(app, hot)
            frames = benchlib.FrameMeter(app.console_screen)
            await asyncio.sleep(1.0)  # let the opening settle
            probe.recording = frames.recording = True
            cpu_start = benchlib.cpu_seconds()
            customers = await CustomersProcess(origin, channels, seconds=args.seconds,
                                               rate=args.rate, concurrency=64, hot_channel=hot,
                                               hot_share=args.hot_share).start()
            try:
                with benchlib.profiled(args.profile):
                    await customers.wait(timeout=args.seconds + 120)
            finally:
                await customers.stop()
            frames.recording = False
            probe.cpu = benchlib.cpu_seconds() - cpu_start  # type: ignore[attr-defined]
            probe.frames = frames  # type: ignore[attr-defined]
            probe.rate = customers.rate  # type: ignore[attr-defined]
            probe.sent = customers.sent  # type: ignore[attr-defined]
            try:
                await wait_until(lambda: probe.undrawn == 0, 30, what="every message drawn")
            except TimeoutError:
                pass
        return probe


async def bare_run(origin: str, channels: list[str], args: argparse.Namespace
                   ) -> list[float]:
    from pubnub.callbacks import SubscribeCallback
    from pubnub.enums import PNStatusCategory

    latencies: list[float] = []
    connected = asyncio.Event()

    class Timer(SubscribeCallback):
        def message(self, pubnub: Any, message: Any) -> None:
            sent = sent_time(message.user_metadata)
            if sent is not None:
                latencies.append(time.time() - sent)

        def status(self, pubnub: Any, status: Any) -> None:
            if status.category == PNStatusCategory.PNConnectedCategory:
                connected.set()

        def presence(self, pubnub: Any, presence: Any) -> None:
            pass

    client = sdk_client(origin, "bench-bare")
    client.add_listener(Timer())
    client.subscribe().channel_groups(list(benchlib.group_names(len(channels)))).execute()
    try:
        await asyncio.wait_for(connected.wait(), 30)
        customers = await CustomersProcess(origin, channels, seconds=args.baseline_seconds,
                                           rate=args.rate, concurrency=64).start()
        try:
            await customers.wait(timeout=args.baseline_seconds + 60)
        finally:
            await customers.stop()
        await asyncio.sleep(1.0)
    finally:
        client.unsubscribe_all()
        await client.stop()
    return latencies


def ms(values: list[float], p: float) -> float:
    return percentile(values, p) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 s instead of 60 s")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--hot-share", type=float, default=0.1,
                        help="share of messages into the open conversation")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument the console run")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.seconds = args.seconds or (20.0 if args.quick else 60.0)
    args.baseline_seconds = min(args.seconds, 20.0)
    benchlib.quiet_logging()
    channels = channel_names(args.channels)
    report = Report(f"Latency: publish to drawn, {args.rate:.0f} msg/s over "
                    f"{args.channels:,} conversations",
                    columns=("measure", "n", "p50", "p99", "max", "target", "verdict"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "server.sqlite"
        seed_history(data, channels, per_channel=5)
        async with ServerProcess(data=data) as server:
            bare = await bare_run(server.origin, channels, args)
            probe = await console_run(server.origin, channels, args)
    base99 = ms(bare, 99)
    def row(name: str, values: list[float], target: str = "", ok: bool | None = None) -> None:
        report.add(name, f"{len(values):,}", fmt(ms(values, 50)), fmt(ms(values, 99)),
                   fmt(ms(values, 100)), target, "" if ok is None else verdict(ok))

    row("bare SDK subscriber: publish to callback (baseline)", bare)
    row("console: publish to inbox (every message)", probe.arrival)
    row("console: publish to sidebar row drawn (rows on screen)", probe.row)
    row("console: publish to open pane drawn (open conversation)", probe.pane)
    p99 = ms(probe.hot_both, 99)
    row("**console: row and pane both drawn (open conversation)**", probe.hot_both,
        "p99 <= 100 ms", p99 <= 100)
    report.note(f"{probe.sent:,} messages at {probe.rate:.1f}/s for {args.seconds:.0f} s, "  # type: ignore[attr-defined]
                f"{args.hot_share:.0%} into the open conversation. {probe.off_screen:,} "
                "messages' rows were pushed below the visible rows by newer ones before a "
                f"frame drew them (not timed); {probe.undrawn} never drawn. Times in ms. "
                f"Headline p99 / bare subscriber p99 = {p99 / base99:.1f}x "
                f"(baseline p99 {fmt(base99)} ms).")
    report.note(f"Console CPU while the customers published: {probe.cpu:.1f} s "  # type: ignore[attr-defined]
                f"({probe.cpu / args.seconds:.0%} of a core); frames: "  # type: ignore[attr-defined]
                f"{probe.frames.summary()}.")  # type: ignore[attr-defined]
    report.note("Server in its own process (bench/_serve.py) with 1,000 x 5 messages of "
                "history; customers in another (bench/_customers.py), open loop.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
