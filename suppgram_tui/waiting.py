"""Waiting for an event with a timeout, without losing a cancellation.

On Python 3.11 `asyncio.wait_for` can swallow a `cancel()` that arrives as the awaited
event is set; a loop built on it then never ends, and whoever awaits its cancellation
(an inbox stopping) waits forever. It hung a CI run under load. `asyncio.wait` does not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


async def wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Until `event` is set or `timeout` seconds pass; True if it was set."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()
    return event.is_set()


async def bounded(what: str, step: Coroutine[Any, Any, Any], seconds: float = 5.0) -> None:
    """Run `step` for at most `seconds`; past that it is cancelled and `what` logged."""
    task = asyncio.ensure_future(step)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        log.warning("%s did not finish within %.0f s; going on without it", what, seconds)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("%s failed: %r", what, task.exception())
