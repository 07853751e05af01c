"""Waiting for an event with a timeout, without losing a cancellation.

On Python 3.11 `asyncio.wait_for` can swallow a `cancel()` that arrives as the awaited
event is set; a loop built on it then never ends, and whoever awaits its cancellation
(an inbox stopping) waits forever. It hung a CI run under load. `asyncio.wait` does not.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Until `event` is set or `timeout` seconds pass; True if it was set."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()
    return event.is_set()
