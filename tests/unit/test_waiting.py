"""`wait_event`: a timeout that never loses a cancellation (Python 3.11's wait_for can)."""

from __future__ import annotations

import asyncio

import pytest

from suppgram_tui.waiting import bounded, wait_event


async def test_set_timeout_and_cancel():
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_event(event, 5) is True


async def test_a_cancel_as_the_event_is_set_still_cancels():
    for _ in range(200):  # the race wait_for loses: set and cancel in the same loop turn
        event = asyncio.Event()
        task = asyncio.ensure_future(wait_event(event, 5))
        await asyncio.sleep(0)
        event.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_step_that_never_ends_is_left_behind_and_said(caplog):
    async def forever() -> None:
        await asyncio.Event().wait()

    await asyncio.wait_for(bounded("the stuck step", forever(), 0.05), 2)
    assert "the stuck step did not finish within" in caplog.text
