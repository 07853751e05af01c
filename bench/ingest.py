"""Ingest: what a customer message costs the consumer, and how fast it catches up.

Each consumer runs in its own process (`_consumer.py`), on the same `local_pubnub`
server process, with customers publishing from a third (`_customers.py`):
  (a) a bare PubNubAsyncio group subscriber that only counts (the baseline; run first
      and last, the ratio is to the mean of the two),
  (b) link + converter + inbox + store (the headless core, as tests/inbox_harness.py
      builds it),
  (c) the full console, headless (Textual run_test at 120 x 50), done when the sidebar
      has drawn the newest message,
  (d) Suppgram 0.0.13's PubNub customer frontend with in-memory storage, built with its
      `Builder` (`pip install suppgram==0.0.13`; skipped with a note if missing).
For each, at fixed open-loop offered loads (300 and 800 msg/s over 200 channels): the
consumer's own CPU seconds (getrusage in its process: neither the server nor the
customers are in it) from just before the customers start until it has finished with
the last message, divided by the messages it received. Then capacity: the consumer is
stopped (SIGSTOP) while a backlog is published flat out, then resumed; it catches up
from its cursor as it does after a network gap. Capacity = backlog / (last message done
- resume), and the CPU per message of the catch-up. Subscribe polls per message come
from the server's counters (one consumer at a time, so they are that consumer's).

Run: python bench/ingest.py [--quick] [--rates 300,800] [--seconds 20] [--backlog 20000]
     [--only a,b] [--profile FILE [--profile-kind b] [--profile-rate 800]]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import time
from dataclasses import dataclass

import benchlib
from benchlib import (
    ConsumerProcess,
    CustomersProcess,
    Report,
    ServerProcess,
    add_channels,
    channel_names,
    fmt,
    verdict,
)

NAMES = {"a": "(a) bare SDK group subscriber",
         "b": "(b) link + converter + inbox + store",
         "c": "(c) full console, headless",
         "d": "(d) Suppgram 0.0.13 PubNub frontend, in-memory"}
TARGETS = {"b": 1.0, "c": 1.3}
"""CPU per message, as a multiple of (a); both must also be below (d)."""


@dataclass
class Phase:
    load: str
    sent: int
    delivered: int
    rate: float
    """Offered (customers' achieved rate), or for a drain: capacity."""
    cpu: float
    polls: int
    system: float = 0.0
    """The kernel's part of `cpu` (sockets, epoll: per poll, whoever polls)."""

    @property
    def us_per_msg(self) -> float:
        return self.cpu / self.delivered * 1e6 if self.delivered else float("nan")


async def polls(server: ServerProcess) -> int:
    return int((await server.stats())["by_endpoint"].get("subscribe", 0))


async def offered(server: ServerProcess, consumer: ConsumerProcess, channels: list[str],
                  rate: float, args: argparse.Namespace, profile: str | None) -> Phase:
    """Open loop at `rate` for `args.seconds`; CPU until the last message is done."""
    polls_before = await polls(server)
    before = await consumer.mark()
    if profile:
        await consumer.ask("profile-start")
    customers = await CustomersProcess(server.origin, channels, count=int(rate * args.seconds),
                                       rate=rate, concurrency=args.concurrency).start()
    try:
        await customers.wait(timeout=args.seconds + 120)
    finally:
        await customers.stop()
    after = await consumer.wait(before["count"] + customers.sent, 120)
    if profile:
        await consumer.ask(f"profile-stop {profile}")
        print(f"  profile written to {profile}", flush=True)
    delivered = after["count"] - before["count"]
    return Phase(f"{rate:,.0f} msg/s offered", customers.sent, delivered, customers.rate,
                 after["cpu"] - before["cpu"], await polls(server) - polls_before,
                 after["sys"] - before["sys"])


async def drain(server: ServerProcess, consumer: ConsumerProcess, channels: list[str],
                args: argparse.Namespace) -> Phase:
    """Away while `args.backlog` messages pile up; back, it catches up from its cursor."""
    before = await consumer.mark()
    polls_before = await polls(server)
    consumer.pause()
    try:
        customers = await CustomersProcess(server.origin, channels, count=args.backlog,
                                           concurrency=args.concurrency).start()
        try:
            await customers.wait(timeout=600)
        finally:
            await customers.stop()
        await asyncio.sleep(0.5)
        resumed = time.time()
    finally:
        consumer.resume()
    after = await consumer.wait(before["count"] + customers.sent, 300)
    delivered = after["count"] - before["count"]
    capacity = delivered / max(after["last"] - resumed, 1e-9)
    return Phase(f"backlog of {customers.sent:,}", customers.sent, delivered, capacity,
                 after["cpu"] - before["cpu"], await polls(server) - polls_before,
                 after["sys"] - before["sys"])


async def measure(kind: str, server: ServerProcess, channels: list[str],
                  args: argparse.Namespace, uuid: str) -> list[Phase]:
    phases = []
    async with ConsumerProcess(kind, server.origin, uuid=uuid) as consumer:
        await asyncio.sleep(1.0)  # startup's own requests are over
        for rate in args.rates:
            profile = args.profile if (kind == args.profile_kind
                                       and rate == args.profile_rate) else None
            phases.append(await offered(server, consumer, channels, rate, args, profile))
        phases.append(await drain(server, consumer, channels, args))
    for phase in phases:
        print(f"  ({kind}) {phase.load}: {phase.delivered:,}/{phase.sent:,} delivered, "
              f"{phase.rate:,.0f} msg/s, {phase.us_per_msg:,.0f} µs CPU/msg, "
              f"{phase.delivered / max(phase.polls, 1):.1f} msgs/poll, "
              f"{phase.system / max(phase.cpu, 1e-9):.0%} in the kernel", flush=True)
    return phases


def report_rows(report: Report, results: dict[str, list[Phase]], baseline: list[float],
                a_runs: list[list[Phase]]) -> None:
    for index, base in enumerate(baseline):
        drain_row = index == len(baseline) - 1
        for kind, phases in results.items():
            phase = phases[index]
            ratio = phase.us_per_msg / base
            target, ok = "", None
            if kind in TARGETS and not drain_row:
                target = f"<= {TARGETS[kind]:.1f} x (a)"
                ok = ratio <= TARGETS[kind]
                if "d" in results:
                    target += ", < (d)"
                    ok = ok and phase.us_per_msg < results["d"][index].us_per_msg
            name = NAMES[kind]
            if kind == "a":
                runs = " / ".join(fmt(run[index].us_per_msg, 0) for run in a_runs)
                name += f" (runs: {runs} µs)"
            rate = f"{fmt(phase.rate, 0)}"
            if drain_row:
                rate += f" ({phase.rate / results['a'][index].rate:.2f} x (a))"
            report.add(name, phase.load, f"{phase.delivered:,} / {phase.sent:,}", rate,
                       fmt(phase.us_per_msg, 0), f"{ratio:.2f}",
                       f"{phase.delivered / max(phase.polls, 1):.1f}",
                       f"{phase.system / max(phase.cpu, 1e-9):.0%}", target,
                       "" if ok is None else verdict(ok))


def per_poll_and_message(phases: list[Phase]) -> tuple[float, float]:
    """CPU = polls x P + messages x M fitted over a consumer's phases (least squares on
    relative errors, so the drain's large batches weigh as much as the 1-message polls),
    in µs: what a poll and a message cost it, whatever one run's batching was."""
    rows = [(p.polls / p.cpu, p.delivered / p.cpu) for p in phases if p.cpu > 0]
    pp = sum(x * x for x, _ in rows)
    nn = sum(y * y for _, y in rows)
    pn = sum(x * y for x, y in rows)
    pc, nc = sum(x for x, _ in rows), sum(y for _, y in rows)
    det = pp * nn - pn * pn
    if not det:
        return float("nan"), float("nan")
    return (pc * nn - nc * pn) / det * 1e6, (nc * pp - pc * pn) / det * 1e6


def mean_phases(runs: list[list[Phase]]) -> list[Phase]:
    """(a)'s two runs as one: CPU and messages summed, rates averaged."""
    return [Phase(group[0].load, sum(p.sent for p in group), sum(p.delivered for p in group),
                  sum(p.rate for p in group) / len(group), sum(p.cpu for p in group),
                  sum(p.polls for p in group), sum(p.system for p in group))
            for group in zip(*runs, strict=True)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per load, 5,000 backlog")
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--rates", default="300,800")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--backlog", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--only", default="a,b,c,d", help="consumers to run, e.g. a,b")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument one consumer")
    parser.add_argument("--profile-kind", default="b")
    parser.add_argument("--profile-rate", type=float, default=800.0)
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",")]
    args.seconds = args.seconds or (8.0 if args.quick else 20.0)
    args.backlog = args.backlog or (5000 if args.quick else 20000)
    kinds = [k for k in args.only.split(",") if k in NAMES]
    notes = []
    if "d" in kinds and importlib.util.find_spec("suppgram") is None:
        kinds.remove("d")
        notes.append("(d) skipped: Suppgram is not installed (pip install suppgram==0.0.13).")
    if "a" not in kinds:
        kinds.insert(0, "a")
    benchlib.quiet_logging()
    channels = channel_names(args.channels)
    report = Report(f"Ingest: consumer CPU per message at "
                    f"{' and '.join(f'{r:,.0f}' for r in args.rates)} msg/s over "
                    f"{args.channels} channels, and catch-up capacity",
                    columns=("consumer", "load", "delivered / sent", "msg/s",
                             "CPU µs/msg", "ratio to (a)", "msgs/poll", "kernel", "target",
                             "verdict"))
    results: dict[str, list[Phase]] = {}
    a_runs: list[list[Phase]] = []
    async with ServerProcess() as server:
        await add_channels(server.origin, channels)
        order = [*kinds, "a"]  # (a) again at the end: drift over the run shows
        for number, kind in enumerate(order):
            print(f"consumer ({kind}) ...", flush=True)
            phases = await measure(kind, server, channels, args, f"bench-{kind}-{number}")
            if kind == "a":
                a_runs.append(phases)
            else:
                results[kind] = phases
    results = {"a": mean_phases(a_runs), **results}
    baseline = [phase.us_per_msg for phase in results["a"]]
    report_rows(report, results, baseline, a_runs)
    costs = []
    for kind, phases in results.items():
        per_poll, per_message = per_poll_and_message(a_runs[0] + a_runs[1] if kind == "a"
                                                     else phases)
        costs.append(f"{kind} {fmt(per_poll, 0)} + {fmt(per_message, 1)}")
    report.note("Per poll + per message, µs (least squares over each consumer's phases: "
                "msgs/poll moves with how fast the consumer turns around, so a leaner "
                "consumer polls more often; these two do not): " + "; ".join(costs) + ".")
    load = "/".join(f"{v:.2f}" for v in os.getloadavg())
    report.note(f"Load average at the end: {load} (2 cores shared with other engineers' "
                "work; the load at the start is in the machine line).")
    report.note("One consumer at a time, each in its own process (bench/_consumer.py), on "
                "one `local_pubnub` server process (bench/_serve.py) for the whole run; "
                "customers in a third (bench/_customers.py), open loop, "
                f"{args.concurrency} publishes in flight, {args.seconds:.0f} s per load. "
                "CPU: the consumer's own user + system seconds (getrusage in its process), "
                "from just before the customers start until its last message is done; "
                "(c) is done when the sidebar has drawn the newest message. kernel: the "
                "system part of that CPU (sockets and epoll, paid per poll).")
    report.note("Backlog: the consumer is stopped (SIGSTOP) while the customers publish "
                "flat out, then resumed: it catches up from its cursor, 100 messages a poll "
                "at most. msg/s on those rows is its capacity: backlog / (last message "
                "done - resume).")
    for note in notes:
        report.note(note)
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
