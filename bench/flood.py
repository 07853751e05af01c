"""Flood: long messages into the open conversation, and the wire view of huge metas.

Issue 11 item 6: 31 KB messages into the open conversation grew the console from 97 MB
to 2 GB (the transcript kept every entry's rendered lines past the 1,000 messages the
conversation keeps), a key took 1.9 s to reach the screen, and F2 on 900 KB metas froze
the console for 10 s.

History with 20 messages carrying a 900 KB meta each (more than PubNub or this server
accept on publish: an old history or another server may hold them) is written straight
into the server's SQLite file. The headless console (120 x 50) opens that conversation
and the agent presses F2 (timed until the wire view is drawn), F7 (the whole-message
inspector, on the newest message, a small one), Left (to a message with a 900 KB meta)
and End (until the inspector's bottom is drawn). Then the agent opens an empty
conversation and customers publish N messages of 31 KB into it from their own process
while the agent types into the composer every 200 ms (key until the composer redraws
with it; keys come from a thread, as a terminal's do). RSS of the console's process
(this one) before and after, with the transcript's rendered lines and heights held.

Run: python bench/flood.py [--quick] [--messages 2000] [--size 31744]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    GROUP,
    SUBSCRIBE_KEY,
    CustomersProcess,
    Report,
    ServerProcess,
    fmt,
    percentile,
    rss_mb,
    verdict,
    wait_until,
)

FLOOD = "flood-support"
METAS = "metas-support"
META_BYTES = 900 * 1024


def seed(path: Path, metas: int) -> None:
    """One message in the flood conversation, `metas` with a 900 KB meta in the other."""
    from suppgram_tui.local_pubnub.persistence import Persistence

    store = Persistence(str(path))
    now = time.time_ns() // 100 - 3600 * 10_000_000
    rows = [(SUBSCRIBE_KEY, FLOOD, now, "cust-flood",
             json.dumps(benchlib.customer_payload("before the flood")), None, None, None)]
    for number in range(metas):
        meta = {"blob": "m" * META_BYTES, "number": number}
        rows.append((SUBSCRIBE_KEY, METAS, now + 1 + number, "cust-metas",
                     json.dumps(benchlib.customer_payload(f"big meta {number}")),
                     json.dumps(meta), None, None))
    rows.append((SUBSCRIBE_KEY, METAS, now + 1 + metas, "cust-metas",
                 json.dumps(benchlib.customer_payload("a small one")), None, None, None))
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    store.db.executemany("INSERT OR IGNORE INTO group_channels VALUES (?, ?, ?)",
                         [(SUBSCRIBE_KEY, GROUP, FLOOD), (SUBSCRIBE_KEY, GROUP, METAS)])
    store.db.execute("COMMIT")
    store.close(now + 2 + metas)


class DrawProbe:
    """Wraps a widget's `render_line`: the time from `arm()` until a drawn line passes
    `drawn` (or, with no test, until the widget draws at all)."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.armed_at: float | None = None
        self.test: Any = None
        self.latencies: list[float] = []
        render_line = widget.render_line

        def drawing(y: int) -> Any:
            strip = render_line(y)
            if self.armed_at is not None and (self.test is None or self.test(strip.text)):
                self.latencies.append(time.perf_counter() - self.armed_at)
                self.armed_at = None
            return strip

        widget.render_line = drawing

    def arm(self, test: Any = None) -> None:
        self.test, self.armed_at = test, time.perf_counter()

    async def wait(self, timeout: float, what: str) -> float:
        await wait_until(lambda: self.armed_at is None, timeout, what=what)
        return self.latencies[-1] * 1000


class Typist(threading.Thread):
    """Presses a key every 200 ms of wall-clock time, as a terminal's input thread hands
    Textual a key whether or not the event loop is busy: the time runs from the press,
    so a loop blocked by work counts (a key posted from the loop itself would not). One
    key in flight at a time."""

    def __init__(self, app: Any, composer: Any, probe: DrawProbe) -> None:
        super().__init__(daemon=True)
        self.app, self.composer, self.probe = app, composer, probe
        self.loop = asyncio.get_running_loop()
        self.done = threading.Event()

    def run(self) -> None:
        from textual import events

        def press(at: float, posted: threading.Event) -> None:
            length = len(self.composer.text)
            self.probe.arm(lambda _text: len(self.composer.text) > length)
            self.probe.armed_at = at  # in flight since the press, not since the loop woke
            self.app.post_message(events.Key("x", "x"))
            posted.set()

        while not self.done.is_set():
            posted = threading.Event()
            pressed = time.perf_counter()
            self.loop.call_soon_threadsafe(press, pressed, posted)
            deadline = pressed + 30
            while (not posted.is_set() or self.probe.armed_at is not None) \
                    and time.perf_counter() < deadline:
                time.sleep(0.002)
            self.done.wait(0.2)

    def stop(self) -> None:
        self.done.set()
        self.join(5)


def live_strips() -> int:
    from textual.strip import Strip

    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Strip)


async def open_conversation(app: Any, channel: str) -> None:
    conversations = app.console_screen.conversation_list
    await wait_until(lambda: channel in conversations.rows, 120, what=f"{channel} listed")
    conversations.select(channel)
    await wait_until(lambda: app.console_screen.channel == channel, 30, what="opened")


async def wire_view(app: Any, pilot: Any, report: Report) -> None:
    """F2 on the 900 KB metas, then F7 and End in the inspector (if this tree has it)."""
    from suppgram_tui.ui.widgets.transcript import Transcript

    await open_conversation(app, METAS)
    transcript = app.console_screen.query_one(Transcript)
    await wait_until(lambda: transcript.view is not None and len(transcript.view.entries) > 0,
                     60, what="metas loaded")
    await pilot.pause(0.5)
    probe = DrawProbe(transcript)
    probe.arm(lambda text: "timetoken=" in text)
    await pilot.press("f2")
    f2 = await probe.wait(120, "wire view drawn")
    big = sum(1 for entry in transcript.view.entries if entry.meta)
    report.add(f"F2 (wire view) on {big} messages with a 900 KB meta (and a small one): "
               "key to drawn", f"{fmt(f2)} ms", "", "", "<= 200 ms", verdict(f2 <= 200))
    report.add("transcript lines laid out in the wire view",
               f"{getattr(transcript, 'line_count', None) or transcript.virtual_size.height:,}")
    try:
        from suppgram_tui.ui.widgets.payload_view import PayloadView
    except ImportError:  # a tree from before the inspector
        report.add("F7 (whole message)", "n/a: not in this tree")
        await pilot.press("f2")
        return
    started = time.perf_counter()
    await pilot.press("f7")  # the newest message on screen: the small one
    await wait_until(lambda: app.screen.query(PayloadView), 60, what="inspector open")
    view = app.screen.query_one(PayloadView)
    inspector = DrawProbe(view)
    inspector.arm()
    view.refresh()
    await inspector.wait(60, "inspector drawn")
    f7 = (time.perf_counter() - started) * 1000
    inspector.arm(lambda text: '"blob"' in text)
    await pilot.press("left")  # the message before: a 900 KB meta
    left = await inspector.wait(60, "the 900 KB message drawn")
    inspector.arm(lambda text: "big meta" in text)
    await pilot.press("end")
    end = await inspector.wait(60, "its bottom drawn")
    report.add("F7 (whole message) on a small message: key to drawn", f"{fmt(f7)} ms")
    report.add("then Left to a 900 KB message: key to drawn / End to drawn",
               f"{fmt(left)} / {fmt(end)} ms", f"{len(view.rows):,} rows",
               f"{max(left, end) / f7:.1f} x F7", "<= 500 ms", verdict(max(left, end) <= 500))
    await pilot.press("escape")
    await pilot.press("f2")


async def flood(app: Any, pilot: Any, server: ServerProcess, args: argparse.Namespace,
                report: Report) -> None:
    from suppgram_tui.inbox.events import EntryAdded
    from suppgram_tui.ui.widgets.composer import Composer
    from suppgram_tui.ui.widgets.transcript import Transcript

    await open_conversation(app, FLOOD)
    screen = app.console_screen
    transcript = screen.query_one(Transcript)
    composer = screen.query_one(Composer)
    composer.focus()
    await pilot.pause(1.0)
    arrived = [0]
    screen.inbox.listen(lambda event: isinstance(event, EntryAdded)
                        and event.channel == FLOOD and arrived.__setitem__(0, arrived[0] + 1))
    strips_before, rss_before = live_strips(), rss_mb()
    probe = DrawProbe(composer)
    typist = Typist(app, composer, probe)
    customers = await CustomersProcess(server.origin, [FLOOD], count=args.messages,
                                       concurrency=4, text_size=args.size).start()
    rss_peak = rss_before
    started = time.perf_counter()
    typist.start()
    while not customers.done.is_set() or arrived[0] < customers.sent:
        rss_peak = max(rss_peak, rss_mb())
        await asyncio.sleep(0.2)
        if time.perf_counter() - started > 1200:
            raise TimeoutError("the flood did not get through in 20 minutes")
    typist.stop()
    keys = [latency * 1000 for latency in probe.latencies]
    await customers.wait(60)
    seconds = time.perf_counter() - started
    await pilot.pause(1.0)
    kept = len(transcript.view.entries) if transcript.view is not None else 0
    strips_after, rss_after = live_strips(), rss_mb()
    report.add(f"RSS, console, before / after {customers.sent:,} messages of "
               f"{args.size / 1024:.0f} KB into the open conversation",
               f"{fmt(rss_before)} / {fmt(rss_after)} MB", f"peak {fmt(rss_peak)} MB", "",
               "after <= before + 200 MB", verdict(rss_after <= rss_before + 200))
    report.add("rendered lines alive (Strip objects), before / after",
               f"{strips_before:,} / {strips_after:,}")
    cached, measured = (getattr(transcript, "cached_lines", None),
                        getattr(transcript, "measured_parts", None))
    report.add("transcript: entries kept / heights held / rendered lines cached",
               f"{kept:,} / {measured if measured is not None else 'n/a'} / "
               f"{cached if cached is not None else 'n/a'}")
    p50, p99 = percentile(keys, 50), percentile(keys, 99)
    report.add("key to composer drawn during the flood: p50 / p99 / max",
               f"{fmt(p50)} / {fmt(p99)} / {fmt(max(keys, default=float('nan')))} ms",
               f"n={len(keys)}", "", "p99 <= 200 ms", verdict(p99 <= 200))
    report.note(f"{customers.sent:,} published ({customers.errors} errors) and "
                f"{arrived[0]:,} reached the inbox in {seconds:.0f} s "
                f"({customers.sent / seconds:.0f} msg/s); customers in bench/_customers.py, "
                "4 in flight; server in its own process (bench/_serve.py).")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,200 messages, 5 metas")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--metas", type=int, default=None)
    parser.add_argument("--size", type=int, default=31 * 1024, help="text of each message")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.messages = args.messages or (1200 if args.quick else 2000)
    args.metas = args.metas or (5 if args.quick else 20)
    benchlib.quiet_logging()
    report = Report(f"Flood: {args.messages:,} x {args.size / 1024:.0f} KB into the open "
                    f"conversation; wire view of {args.metas} x 900 KB metas")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "server.sqlite"
        seed(data, args.metas)
        async with ServerProcess(data=data) as server:
            app = benchlib.make_console(server.origin, Path(tmp) / "store.json")
            async with app.run_test(headless=True, size=(120, 50)) as pilot:
                await wait_until(lambda: app.console_screen is not None, 120,
                                 what="console connected")
                await wire_view(app, pilot, report)
                await flood(app, pilot, server, args, report)
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
