"""Load mode: scripted customers open conversations and chat at a steady rate."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from .customers import Simulation
from .wire_log import PUBLISH_FAILED

OPENERS = [
    "Hi, my order hasn't arrived yet.",
    "Can I change the delivery address?",
    "I was charged twice for the same order.",
    "How do I reset my password?",
    "Is the blue one back in stock?",
]
FOLLOW_UPS = [
    "Any news?", "Thanks!", "The order number is {n}.", "Still waiting here.",
    "Could you check again, please?", "That worked, thank you.",
]


@dataclass
class LoadReport:
    customers: int = 0
    sent: int = 0
    """Messages PubNub acknowledged."""
    failed: int = 0
    """Messages that could not be published (counted apart from `sent`)."""
    last_failure: str = ""
    elapsed: float = 0.0

    def line(self) -> str:
        rate = self.sent / self.elapsed if self.elapsed else 0.0
        why = f" (last: {self.last_failure})" if self.failed else ""
        return (f"{self.customers} customers, {self.sent} messages sent ({rate:.1f}/s), "
                f"{self.failed} failed{why}, {self.elapsed:.0f}s")


async def run_load(simulation: Simulation, *, customers: int, rate: float,
                   duration: float | None = None, seed: int = 7,
                   report: Callable[[LoadReport], None] | None = None,
                   report_every: float = 5.0) -> LoadReport:
    """Create `customers`, then send `rate` messages a second among them until `duration`."""
    chooser = random.Random(seed)
    result = LoadReport()
    started = time.monotonic()
    names = []
    for index in range(customers):
        customer = await simulation.add_customer(f"load-{seed}-{index:04d}")
        names.append(customer.user_id)
        result.customers += 1
    opened: set[str] = set()
    interval = 1.0 / rate if rate > 0 else 1.0
    next_send = time.monotonic()
    last_report = time.monotonic()
    while duration is None or time.monotonic() - started < duration:
        user_id = chooser.choice(names)
        if user_id not in opened:
            text = chooser.choice(OPENERS)
            opened.add(user_id)
        else:
            text = chooser.choice(FOLLOW_UPS).format(n=chooser.randint(1000, 9999))
        record = await simulation.say(user_id, text)
        if record.error:
            result.failed += 1
            result.last_failure = record.error.removeprefix(PUBLISH_FAILED)
        else:
            result.sent += 1
        result.elapsed = time.monotonic() - started
        if report is not None and time.monotonic() - last_report >= report_every:
            last_report = time.monotonic()
            report(result)
        next_send += interval
        await asyncio.sleep(max(0.0, next_send - time.monotonic()))
    result.elapsed = time.monotonic() - started
    return result
