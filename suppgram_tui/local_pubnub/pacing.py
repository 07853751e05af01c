"""Long loops that let other requests run between slices.

A subscribe poll may name 10,000 channels; registering it, or marking its uuid present
on each of them, done in one go would hold the event loop, and so every other client's
`/time` or publish, for tens of milliseconds per poll. Such loops go through `slices`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

T = TypeVar("T")
SLICE = 500


async def slices(items: Sequence[T], size: int = SLICE) -> AsyncIterator[Sequence[T]]:
    """`items` in slices of `size`, yielding to the event loop before each one but the first."""
    for start in range(0, len(items), size):
        if start:
            await asyncio.sleep(0)
        yield items[start:start + size]
