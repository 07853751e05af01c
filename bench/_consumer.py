"""One consumer of the support group in its own process, for `ingest.py` to measure.

Kinds: `a` a bare PubNubAsyncio group subscriber that only counts; `b` link + converter
+ inbox + store (the headless core); `c` the full console, headless (Textual run_test at
120 x 50, as latency.py runs it); `d` Suppgram 0.0.13's PubNub customer frontend built
with its Builder and in-memory storage (`pip install suppgram==0.0.13`, bench only).

Each counts the messages it has finished with (a: its callback ran; b: the inbox filed
the entry; c: the entry reached the inbox and the sidebar has drawn the newest one;
d: Suppgram's backend processed it). CPU is this process's own, all threads
(`resource.getrusage(RUSAGE_SELF)`), so the server and customers are never in it.

Takes one JSON spec as its argument ({"kind", "origin", "group", "uuid"}), prints
`{"ready": pid}` once subscribed, then answers one JSON line per command:
    mark                 -> {"count", "cpu", "sys", "t", "last"}: messages done,
                            CPU seconds (and the system part), clock, last message done
    wait N SECONDS       -> the same once N messages are done (or the time is up)
    profile-start        -> {"ok"}: pyinstrument from now on (a dev tool)
    profile-stop FILE    -> {"ok"}: the text tree written to FILE
EOF on stdin stops it. `benchlib.ConsumerProcess` is the other end.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import benchlib
from benchlib import PUBLISH_KEY, SUBSCRIBE_KEY, SUPPORT_USER, sent_time


def cpu_now() -> tuple[float, float]:
    """(user + system, system) CPU seconds of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


class Tally:
    """Messages done; wakes a waiter once its target is reached (no polling)."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.target = -1
        self.reached = asyncio.Event()
        self.settled: Callable[[], bool] = lambda: True
        """Another condition a waiter needs (c: the sidebar has drawn the newest)."""

    def hit(self) -> None:
        self.count += 1
        self.last = time.time()
        if self.count == self.target:
            self.check()

    def check(self) -> None:
        if 0 <= self.target <= self.count and self.settled():
            self.reached.set()

    async def wait(self, target: int, seconds: float) -> None:
        self.target = target
        self.reached.clear()
        self.check()
        try:
            await asyncio.wait_for(self.reached.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        self.target = -1


def sdk_listener(on_message: Callable[[Any], None]) -> tuple[Any, asyncio.Event]:
    from pubnub.callbacks import SubscribeCallback
    from pubnub.enums import PNStatusCategory

    connected = asyncio.Event()

    class Listener(SubscribeCallback):
        def message(self, pubnub: Any, message: Any) -> None:
            on_message(message)

        def status(self, pubnub: Any, status: Any) -> None:
            if status.category == PNStatusCategory.PNConnectedCategory:
                connected.set()

        def presence(self, pubnub: Any, presence: Any) -> None:
            pass

    return Listener(), connected


@asynccontextmanager
async def bare(spec: dict[str, Any], tally: Tally) -> AsyncIterator[None]:
    listener, connected = sdk_listener(lambda _m: tally.hit())
    client = benchlib.sdk_client(spec["origin"], spec["uuid"])
    client.add_listener(listener)
    client.subscribe().channel_groups([spec["group"]]).execute()
    try:
        await asyncio.wait_for(connected.wait(), 60)
        yield
    finally:
        client.unsubscribe_all()
        await client.stop()


@asynccontextmanager
async def inbox(spec: dict[str, Any], tally: Tally) -> AsyncIterator[None]:
    from suppgram_tui.inbox import EntryAdded

    with tempfile.TemporaryDirectory() as tmp:
        box, store = benchlib.make_inbox(spec["origin"], Path(tmp) / "store.json",
                                         (spec["group"],))
        box.listen(lambda e: tally.hit() if isinstance(e, EntryAdded) else None)
        await box.start()
        try:
            yield
        finally:
            await box.stop()
            store.close()


@asynccontextmanager
async def console(spec: dict[str, Any], tally: Tally) -> AsyncIterator[None]:
    from suppgram_tui.inbox import EntryAdded

    newest = {"inbox": 0.0, "drawn": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        app = benchlib.make_console(spec["origin"], Path(tmp) / "store.json",
                                    (spec["group"],))
        async with app.run_test(headless=True, size=(120, 50)):
            await benchlib.wait_until(lambda: app.console_screen is not None, 120,
                                      what="console connected")
            screen = app.console_screen
            render_row = screen.conversation_list._render_row

            def on_event(event: Any) -> None:
                if isinstance(event, EntryAdded):
                    newest["inbox"] = max(newest["inbox"], sent_time(event.entry.meta) or 0.0)
                    tally.hit()

            def drawing(view: Any, selected: bool, width: int) -> Any:
                last = view.last_entry
                if last is not None:
                    newest["drawn"] = max(newest["drawn"], sent_time(last.meta) or 0.0)
                    tally.check()
                return render_row(view, selected, width)

            screen.inbox.listen(on_event)
            screen.conversation_list._render_row = drawing
            tally.settled = lambda: newest["drawn"] >= newest["inbox"]
            await asyncio.sleep(1.0)  # let the first screen settle
            yield


@asynccontextmanager
async def suppgram(spec: dict[str, Any], tally: Tally) -> AsyncIterator[None]:
    """Suppgram's own PubNub customer frontend, as its Builder makes it."""
    os.environ.update(PUBNUB_SUBSCRIBE_KEY=SUBSCRIBE_KEY, PUBNUB_PUBLISH_KEY=PUBLISH_KEY,
                      PUBNUB_TOKEN="bench")  # a token, not a secret: requests go unsigned,
    # as the link's do here; local_pubnub without Access Manager ignores it
    from suppgram.builder import Builder
    from suppgram.storages.inmemory import InMemoryStorage

    builder = Builder().with_storage(InMemoryStorage()).with_pubnub_customer_frontend(
        pubnub_user_id=SUPPORT_USER, pubnub_channel_group=spec["group"])
    config = builder._pubnub_configuration.pn_config
    config.origin, config.ssl = spec["origin"], False
    builder.build()
    backend = builder._backend
    process = backend.process_message

    async def counted(conversation: Any, message: Any) -> None:
        await process(conversation, message)
        tally.hit()

    backend.process_message = counted
    frontend = builder._customer_frontends[0]
    listener, connected = sdk_listener(lambda _m: None)
    frontend._pubnub.add_listener(listener)
    await builder.start()
    try:
        await asyncio.wait_for(connected.wait(), 60)
        yield
    finally:
        frontend._pubnub.unsubscribe_all()
        await frontend._pubnub.stop()


KINDS = {"a": bare, "b": inbox, "c": console, "d": suppgram}


async def serve(spec: dict[str, Any]) -> None:
    tally = Tally()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    profiler: Any = None

    def answer(**fields: Any) -> None:  # fd 1 itself: Textual captures sys.stdout
        os.write(1, json.dumps(fields).encode() + b"\n")

    async with KINDS[spec["kind"]](spec, tally):
        answer(ready=os.getpid())
        while line := (await reader.readline()).decode().split():
            command = line[0]
            if command == "wait":
                await tally.wait(int(line[1]), float(line[2]))
            if command in ("mark", "wait"):
                cpu, system = cpu_now()
                answer(count=tally.count, cpu=cpu, sys=system, t=time.time(), last=tally.last)
            elif command == "profile-start":
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.001, async_mode="disabled")
                profiler.start()
                answer(ok=True)
            elif command == "profile-stop" and profiler is not None:
                profiler.stop()
                Path(line[1]).write_text(profiler.output_text(
                    unicode=True, color=False,
                    show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"))
                answer(ok=True)


def main() -> None:
    spec = json.loads(sys.argv[1])
    benchlib.quiet_logging()
    asyncio.run(serve(spec))


if __name__ == "__main__":
    main()
