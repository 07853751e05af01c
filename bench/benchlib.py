"""Shared pieces of the benchmarks: processes, seeding, statistics and the results file.

Every benchmark talks only to `local_pubnub` on 127.0.0.1: the server runs in its own
process (`_serve.py`) and customers publish from another (`_customers.py`), so the
console under test has its process and event loop to itself, as it would in real use.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS") or BENCH_DIR / "RESULTS.md")
"""Where reports are appended; BENCH_RESULTS overrides (e.g. a "before" tree's runs)."""
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

PUBLISH_KEY = "pub-c-bench"
SUBSCRIBE_KEY = "sub-c-bench"
GROUP = "support"
SUPPORT_USER = "support"
AGENT = "bench"
GROUP_LIMIT = 2000


# machine and process facts --------------------------------------------------------------

def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process (this one by default), in MiB, from /proc."""
    path = Path(f"/proc/{pid or 'self'}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time a process has used so far, from /proc (NaN if it is gone)."""
    try:
        fields = Path(f"/proc/{pid or 'self'}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_facts() -> str:
    """One line: cores, CPU, memory, Python, the versions that matter, the git revision."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = []
    for package in ("textual", "rich", "pubnub", "aiohttp", "httpx", "tinydb"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{package} {metadata.version(package)}")
    rev = "?"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "suppgram_tui"],
                               cwd=REPO, capture_output=True, text=True).stdout.strip()
        rev += "+local changes" if dirty else ""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = "/".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"nproc {affinity} ({os.cpu_count()} cpus, {cpu}), {mem} RAM, load {load}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"{', '.join(versions)}, suppgram-tui {rev}")


# statistics ---------------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (per unit of x); 0 for fewer than two points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if not sxx:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in points) / sxx


async def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.02,
                     what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout}s")
        await asyncio.sleep(interval)


# the report ---------------------------------------------------------------------------------

@dataclass
class Report:
    """A titled table printed to the terminal and appended to bench/RESULTS.md."""

    title: str
    columns: tuple[str, ...] = ("measure", "value", "baseline", "ratio", "target", "verdict")
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: str = field(default_factory=machine_facts)
    """Taken when the run starts, so the load average is the one the run met."""

    def add(self, *cells: object) -> None:
        padded = [str(c) for c in cells] + [""] * (len(self.columns) - len(cells))
        self.rows.append(tuple(padded))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def markdown(self, command: str) -> str:
        when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        label = os.environ.get("BENCH_LABEL")  # e.g. "before": a run of an older tree
        title = f"{self.title} [{label}]" if label else self.title
        lines = [f"## {title} — {when}", "", f"`{command}`", "",
                 f"Machine (at start): {self.facts}", "",
                 "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"
                  for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def publish(self, *, save: bool = True) -> None:
        command = "python " + " ".join(shlex.quote(a) for a in
                                       [os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]])
        text = self.markdown(command)
        print("\n" + text, flush=True)
        if save:
            if not RESULTS.exists():
                RESULTS.write_text("# Benchmark results\n\nAppended by the scripts in "
                                   "`bench/`; newest last. See `bench/README.md`.\n\n")
            with RESULTS.open("a") as out:
                out.write("\n" + text)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def fmt(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{value:,.{digits}f}"


# processes ----------------------------------------------------------------------------------

class ServerProcess:
    """`local_pubnub` in a subprocess (`_serve.py`), with its counters on request."""

    def __init__(self, *, data: Path | None = None, poll_timeout: float = 280.0) -> None:
        self.args = [sys.executable, str(BENCH_DIR / "_serve.py"), "--port", "0",
                     "--poll-timeout", str(poll_timeout)]
        if data is not None:
            self.args += ["--data", str(data)]
        self.proc: asyncio.subprocess.Process | None = None
        self.origin = ""

    async def __aenter__(self) -> ServerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            *self.args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError("the server process exited before listening")
        self.origin = json.loads(line)["origin"]
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stats(self) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(b"stats\n")
        await self.proc.stdin.drain()
        return json.loads(await asyncio.wait_for(self.proc.stdout.readline(), 30))

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


class CustomersProcess:
    """Customers publishing from their own process (`_customers.py`); reads its progress."""

    def __init__(self, origin: str, channels: Sequence[str], *, count: int | None = None,
                 seconds: float | None = None, rate: float = 0.0, concurrency: int = 32,
                 hot_channel: str | None = None, hot_share: float = 0.0,
                 seed: int = 7, text_size: int | None = None) -> None:
        self.spec = {"origin": origin, "channels": list(channels), "count": count,
                     "seconds": seconds, "rate": rate, "concurrency": concurrency,
                     "hot_channel": hot_channel, "hot_share": hot_share, "seed": seed,
                     "text_size": text_size,
                     "publish_key": PUBLISH_KEY, "subscribe_key": SUBSCRIBE_KEY}
        self.proc: asyncio.subprocess.Process | None = None
        self.sent = 0
        self.errors = 0
        self.started: float | None = None
        self.finished: float | None = None
        self.progress: list[tuple[float, int]] = []
        self.done = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> CustomersProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(BENCH_DIR / "_customers.py"), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(self.spec).encode() + b"\n")
        await self.proc.stdin.drain()
        self.proc.stdin.close()
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            report = json.loads(line)
            if "start" in report:
                self.started = report["start"]
            self.sent, self.errors = report.get("sent", self.sent), report.get("errors", 0)
            self.progress.append((report.get("t", time.time()), self.sent))
            if "end" in report:
                self.finished = report["end"]
        self.done.set()

    async def wait(self, timeout: float) -> None:
        await asyncio.wait_for(self.done.wait(), timeout)
        assert self.proc is not None
        await self.proc.wait()

    @property
    def rate(self) -> float:
        if self.started is None or self.finished is None:
            return float("nan")
        return self.sent / max(self.finished - self.started, 1e-9)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


class ConsumerProcess:
    """One consumer of the support group in its own process (`_consumer.py`).

    `mark()` and `wait()` return its own count of messages done and its CPU seconds
    (getrusage in the child); `pause()`/`resume()` (SIGSTOP/SIGCONT) take it away while
    a backlog piles up, after which it catches up from its cursor as after a network gap.
    """

    def __init__(self, kind: str, origin: str, group: str = GROUP,
                 uuid: str | None = None) -> None:
        self.spec = {"kind": kind, "origin": origin, "group": group,
                     "uuid": uuid or f"bench-{kind}"}
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> ConsumerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(BENCH_DIR / "_consumer.py"), json.dumps(self.spec),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        ready = await self._read(180)
        if "ready" not in ready:
            raise RuntimeError(f"consumer {self.spec['kind']} did not start: {ready}")
        return self

    async def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"consumer {self.spec['kind']} exited")
        return json.loads(line)

    async def ask(self, command: str, timeout: float = 30) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self._read(timeout)

    async def mark(self) -> dict[str, Any]:
        """{"count", "cpu", "t", "last"}: messages done so far, CPU seconds, clock."""
        return await self.ask("mark")

    async def wait(self, count: int, seconds: float) -> dict[str, Any]:
        """As `mark`, once `count` messages are done (or after `seconds`)."""
        return await self.ask(f"wait {count} {seconds}", timeout=seconds + 30)

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        self.resume()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


# channels, groups and history -----------------------------------------------------------------

def channel_names(count: int, prefix: str = "ch-") -> list[str]:
    return [f"{prefix}{index:05d}" for index in range(count)]


def group_names(channel_count: int) -> tuple[str, ...]:
    """Groups needed for `channel_count` channels at 2,000 a group (PubNub's cap)."""
    groups = max(1, -(-channel_count // GROUP_LIMIT))
    return (GROUP,) if groups == 1 else tuple(f"{GROUP}-{i}" for i in range(groups))


def grouped(channels: Sequence[str]) -> Iterable[tuple[str, Sequence[str]]]:
    groups = group_names(len(channels))
    for index, group in enumerate(groups):
        yield group, channels[index * GROUP_LIMIT:(index + 1) * GROUP_LIMIT]


async def add_channels(origin: str, channels: Sequence[str]) -> tuple[str, ...]:
    """Put the channels in the support group(s) over HTTP, 200 a request; returns the groups."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        for group, members in grouped(channels):
            for offset in range(0, len(members), 200):
                batch = ",".join(quote(ch, safe="") for ch in members[offset:offset + 200])
                url = (f"http://{origin}/v1/channel-registration/sub-key/{SUBSCRIBE_KEY}/"
                       f"channel-group/{group}?add={batch}&uuid=bench-setup")
                async with http.get(url) as response:
                    if response.status != 200:
                        raise RuntimeError(f"adding channels failed: {await response.text()}")
    return group_names(len(channels))


def customer_payload(text: str, moment: dt.datetime | None = None) -> dict[str, Any]:
    """Suppgram's default JSON for a customer message."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return {"kind": "from_customer", "time": moment.strftime("%Y-%m-%dT%H:%M:%S.%f%z"),
            "text": text}


def seed_history(path: Path, channels: Sequence[str], per_channel: int, *,
                 span_hours: float = 6.0) -> tuple[int, int]:
    """Write history and groups straight into a server's SQLite file (fast seeding).

    Timetokens end an hour ago, so a restarted server does not refill its live subscribe
    log with them. Returns (oldest, newest) timetoken written.
    """
    from suppgram_tui.local_pubnub.persistence import Persistence

    store = Persistence(str(path))
    now = time.time_ns() // 100 - 3600 * 10_000_000
    total = len(channels) * per_channel
    step = max(1, int(span_hours * 3600 * 10_000_000 / max(total, 1)))
    oldest = now - total * step
    rows = []
    index = 0
    base = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=span_hours + 1)
    for turn in range(per_channel):
        for number, channel in enumerate(channels):
            timetoken = oldest + index * step
            index += 1
            publisher = SUPPORT_USER if turn % 5 == 4 else f"cust-{channel}"
            payload = customer_payload(f"history message {turn} of {channel}",
                                       base + dt.timedelta(seconds=index))
            meta = {"agent": "someone", "client_id": f"seed-{number}-{turn}"} \
                if publisher == SUPPORT_USER else None
            if publisher == SUPPORT_USER:
                payload["kind"] = "from_agent"
            rows.append((SUBSCRIBE_KEY, channel, timetoken, publisher, json.dumps(payload),
                         None if meta is None else json.dumps(meta), None, None))
    store.db.execute("BEGIN")
    store.db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for group, members in grouped(channels):
        store.db.executemany("INSERT OR IGNORE INTO group_channels VALUES (?, ?, ?)",
                             [(SUBSCRIBE_KEY, group, ch) for ch in members])
    store.db.execute("COMMIT")
    store.close(oldest + index * step)
    return oldest, oldest + (index - 1) * step


# the console under test -------------------------------------------------------------------------

def link_settings(origin: str, groups: Sequence[str] = (GROUP,)) -> Any:
    from suppgram_tui.link.settings import LinkSettings

    return LinkSettings(publish_key=PUBLISH_KEY, subscribe_key=SUBSCRIBE_KEY,
                        user_id=SUPPORT_USER, channel_groups=tuple(groups), origin=origin,
                        ssl=False, local=True)


def make_inbox(origin: str, store_path: Path, groups: Sequence[str] = (GROUP,)
               ) -> tuple[Any, Any]:
    """link + converter + inbox + store, built as `tests/inbox_harness.py` builds them;
    the inbox and its store (the caller closes it)."""
    from suppgram_tui.converters import DefaultMessageConverter
    from suppgram_tui.inbox import Inbox
    from suppgram_tui.link.client import PubNubLink
    from suppgram_tui.store import AgentStore

    settings = link_settings(origin, groups)
    store = AgentStore(store_path)
    links: list[PubNubLink] = []

    def transport(on_event: Any) -> PubNubLink:
        links.append(PubNubLink(settings, on_event))
        return links[-1]

    return Inbox(transport, converter=DefaultMessageConverter(), store=store,
                 agent_name=AGENT, support_user=SUPPORT_USER), store


def make_console(origin: str, store_path: Path, groups: Sequence[str] = (GROUP,)) -> Any:
    """The real console app (`make_app`), as the CLI builds it, without sound or blink."""
    from suppgram_tui.settings import AgentSettings, Settings, UiSettings
    from suppgram_tui.ui.app import make_app

    return make_app(Settings(pubnub=link_settings(origin, groups),
                             agent=AgentSettings(name=AGENT, store_path=store_path),
                             ui=UiSettings(notify_sound=False, cursor_blink=False)))


def sdk_client(origin: str, uuid: str) -> Any:
    from pubnub.pnconfiguration import PNConfiguration
    from pubnub.pubnub_asyncio import PubNubAsyncio

    config = PNConfiguration()
    config.publish_key, config.subscribe_key, config.uuid = PUBLISH_KEY, SUBSCRIBE_KEY, uuid
    config.origin, config.ssl = origin, False
    return PubNubAsyncio(config)


def sent_time(meta: Any) -> float | None:
    """The customer process's wall-clock publish time, carried in the message's meta."""
    if isinstance(meta, dict) and isinstance(meta.get("sent"), int | float):
        return float(meta["sent"])
    return None


@contextlib.contextmanager
def profiled(path: str | None) -> Any:
    """Sample this process with pyinstrument (a dev tool, not a dependency) into `path`.

    `path` ending in .html gets the interactive page, anything else the text tree.
    """
    if not path:
        yield
        return
    if path.endswith(".cprofile"):  # CPU time, not wall: a shared machine's load is not in it
        import cProfile
        import io
        import pstats

        cpu = cProfile.Profile(time.process_time)
        cpu.enable()
        try:
            yield
        finally:
            cpu.disable()
            text = io.StringIO()
            stats = pstats.Stats(cpu, stream=text)
            stats.sort_stats("cumulative").print_stats(120)
            stats.sort_stats("tottime").print_stats(60)
            Path(path).write_text(text.getvalue())
            print(f"CPU profile written to {path}", flush=True)
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(profiler.output_html() if out.suffix == ".html"
                       else profiler.output_text(unicode=True, color=False,
                                                 show_all=os.environ.get("BENCH_PROFILE_ALL")
                                                 == "1"))
        print(f"profile written to {out}", flush=True)


class FrameMeter:
    """CPU seconds of each frame the console's screen draws (layout and compositor), read
    with `time.process_time`: what a frame costs, whatever else the machine runs."""

    def __init__(self, screen: Any) -> None:
        self.frames: list[float] = []
        self.recording = False
        for name in ("_refresh_layout", "_compositor_refresh"):
            setattr(screen, name, self._metered(getattr(screen, name)))
        self._depth = 0

    def _metered(self, draw: Callable[..., Any]) -> Callable[..., Any]:
        def metered(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1  # a layout includes its compositor refresh: one frame
            start = time.process_time()
            try:
                return draw(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0 and self.recording:
                    self.frames.append(time.process_time() - start)
        return metered

    def summary(self) -> str:
        if not self.frames:
            return "no frames"
        ms = [f * 1000 for f in self.frames]
        return (f"{len(ms):,} frames, CPU p50 {fmt(percentile(ms, 50))} / p99 "
                f"{fmt(percentile(ms, 99))} ms, {fmt(sum(ms) / 1000, 2)} s in all")


def quiet_logging() -> None:
    """Keep library logs off the terminal (the console logs to a file in real use)."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("pubnub").setLevel(logging.CRITICAL)
