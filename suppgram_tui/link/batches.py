"""Many-channel requests that one bad channel cannot stop (issue 11 item 1).

The SDK fails a whole multi-channel request client-side when one name is one it cannot
send or parse (a `\\n` in a channel added to the group by anyone with the keys). A failing
batch is split in halves until the channel that fails is alone; that channel is skipped
and remembered, every other channel is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from .errors import LinkRequestError

log = logging.getLogger(__name__)

SPLITTABLE = (None, 400, 414)
"""Failures one channel can cause: client-side (the SDK could not build or read it), a
name the server rejects, or a URL too long."""

Item = TypeVar("Item")
Result = TypeVar("Result")


async def isolate(items: Sequence[Item], run: Callable[[list[Item]], Awaitable[Result]],
                  name: Callable[[Item], str], skipped: dict[str, str]) -> list[Result]:
    """`run` on `items`, splitting a failing batch; the results of every batch that
    succeeded. A single item that still fails goes into `skipped` (name → why)."""
    batch = list(items)
    if not batch:
        return []
    try:
        return [await run(batch)]
    except LinkRequestError as error:
        if error.status_code not in SPLITTABLE:
            raise  # refused for everyone (keys, permissions, an outage): splitting won't help
        if len(batch) == 1:
            skipped[name(batch[0])] = str(error)
            log.warning("channel %r cannot be read: %s", name(batch[0]), error)
            return []
    middle = len(batch) // 2
    return (await isolate(batch[:middle], run, name, skipped)
            + await isolate(batch[middle:], run, name, skipped))
