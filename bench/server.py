"""Server: `local_pubnub`'s own publish rate and its fan-out to 1,000 subscribers.

Publish: customers (bench/_customers.py, 32 requests in flight) publish a fixed number
of messages flat out, first to a bare aiohttp server that only answers (bench/_bare_http.py,
the baseline: the same HTTP stack doing nothing), then to `local_pubnub` (routing,
JSON parsing, SQLite history, the subscribe log). Each server in its own process.

Fan-out: 1,000 subscribers (bench/_subscribers.py, one long-poll each, their own uuids)
on one channel; customers publish at a fixed rate; every message must reach all of them.
Reported: deliveries/s, poll responses/s (a poll may carry several messages), the time
until the last of the 1,000 has a message, and the server process's CPU use.

Run: python bench/server.py [--quick] [--subscribers 1000] [--messages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import benchlib
from benchlib import (
    BENCH_DIR,
    SUBSCRIBE_KEY,
    CustomersProcess,
    Report,
    ServerProcess,
    cpu_seconds,
    fmt,
    percentile,
)


class BareServer(ServerProcess):
    def __init__(self) -> None:
        super().__init__()
        self.args = [sys.executable, str(BENCH_DIR / "_bare_http.py")]


async def publish_rate(server: ServerProcess, args: argparse.Namespace) -> tuple[float, float]:
    """Messages/s acknowledged, and server CPU seconds per 1,000 messages."""
    cpu = cpu_seconds(server.pid)
    customers = await CustomersProcess(server.origin, ["bench-publish"], count=args.messages,
                                       concurrency=32).start()
    await customers.wait(600)
    cpu = cpu_seconds(server.pid) - cpu
    if customers.errors:
        print(f"  {customers.errors} publishes failed", flush=True)
    return customers.rate, cpu / max(customers.sent, 1) * 1000


async def fan_out(server: ServerProcess, rate: float, args: argparse.Namespace
                  ) -> dict[str, Any]:
    subscribers = await asyncio.create_subprocess_exec(
        sys.executable, str(BENCH_DIR / "_subscribers.py"), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE)
    assert subscribers.stdin is not None and subscribers.stdout is not None
    spec = {"origin": server.origin, "subscribe_key": SUBSCRIBE_KEY, "channel": "broadcast",
            "count": args.subscribers}
    subscribers.stdin.write(json.dumps(spec).encode() + b"\n")
    await subscribers.stdin.drain()
    ready = json.loads(await asyncio.wait_for(subscribers.stdout.readline(), 300))
    assert ready["ready"] == args.subscribers
    cpu, sub_cpu, started = (cpu_seconds(server.pid), cpu_seconds(subscribers.pid),
                             time.monotonic())
    customers = await CustomersProcess(server.origin, ["broadcast"], seconds=args.seconds,
                                       rate=rate, concurrency=8).start()
    await customers.wait(args.seconds + 120)
    await asyncio.sleep(3.0)  # let the last messages reach everyone
    elapsed = time.monotonic() - started
    cpu, sub_cpu = cpu_seconds(server.pid) - cpu, cpu_seconds(subscribers.pid) - sub_cpu
    subscribers.stdin.close()
    result = json.loads(await asyncio.wait_for(subscribers.stdout.readline(), 300))
    await subscribers.wait()
    expected = customers.sent * args.subscribers
    span = args.seconds + 3.0
    return {"rate": customers.rate, "sent": customers.sent, "expected": expected,
            "deliveries": result["deliveries"], "per_s": result["deliveries"] / span,
            "polls_per_s": result["polls"] / span, "latency": result["latency"],
            "all": result["all_delivered"], "cpu": cpu / elapsed * 100,
            "sub_cpu": sub_cpu / elapsed * 100, "errors": result["errors"]}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages, 5 s fan-out")
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rates", default="2,20", help="fan-out publish rates, msg/s")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    args.messages = args.messages or (5000 if args.quick else 20000)
    args.seconds = args.seconds or (5.0 if args.quick else 15.0)
    benchlib.quiet_logging()
    report = Report(f"Server: local_pubnub publish rate and fan-out to {args.subscribers:,} "
                    "subscribers")
    async with BareServer() as bare:
        bare_rate, bare_cpu = await publish_rate(bare, args)
    async with ServerProcess() as server:
        rate, cpu = await publish_rate(server, args)
    report.add("bare aiohttp answering (baseline)", f"{fmt(bare_rate, 0)} req/s",
               "", "1.00", "", "", )
    report.add("local_pubnub publish, acknowledged", f"{fmt(rate, 0)} msg/s",
               f"{fmt(bare_rate, 0)} req/s", f"{rate / bare_rate:.2f}")
    report.add("server CPU per 1,000 publishes", f"{cpu * 1000:.0f} ms",
               f"{bare_cpu * 1000:.0f} ms bare", f"{cpu / bare_cpu:.1f}")
    for fan_rate in [float(r) for r in args.rates.split(",")]:
        async with ServerProcess() as server:
            result = await fan_out(server, fan_rate, args)
        lost = result["expected"] - result["deliveries"]
        report.add(f"fan-out at {fan_rate:g} msg/s: deliveries",
                   f"{fmt(result['per_s'], 0)}/s ({fmt(result['polls_per_s'], 0)} poll "
                   f"answers/s)", f"{fmt(bare_rate, 0)} req/s bare",
                   f"{result['polls_per_s'] / bare_rate:.2f}", "all delivered",
                   "met" if lost == 0 else f"MISSED ({lost:,} lost)")
        latency = result["latency"]
        report.add(f"fan-out at {fan_rate:g} msg/s: publish to one subscriber p50 / p99",
                   f"{fmt((latency['p50'] or 0) * 1000)} / "
                   f"{fmt((latency['p99'] or 0) * 1000)} ms")
        report.add(f"fan-out at {fan_rate:g} msg/s: publish to all {args.subscribers:,} "
                   "p50 / p99", f"{fmt(percentile(result['all'], 50) * 1000)} / "
                   f"{fmt(percentile(result['all'], 99) * 1000)} ms", "",
                   "", "", f"server CPU {result['cpu']:.0f}%, subscribers' "
                   f"{result['sub_cpu']:.0f}%")
    report.note("Every server runs in its own process; customers and subscribers in "
                "others (raw HTTP in the SDK's wire format). Ratio for fan-out: poll "
                "answers/s against the bare server's requests/s, since each answered poll is "
                "one HTTP response plus the next request.")
    report.publish(save=not args.no_save)


if __name__ == "__main__":
    asyncio.run(main())
