"""Lines the console draws are freed by reference counting (ui/cache_cycles.py).

The console makes full collections rare, so a drawn line caught in a reference cycle
stays in memory until one comes: under a burst that was most of the console's growth.
These tests count what only the cyclic collector could free: with the collector off,
draw, drop, then ask it what it found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rich.segment import Segment
from textual.cache import LRUCache
from textual.strip import Strip

from suppgram_tui.ui.cache_cycles import free_drawn_lines
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def strips_only_the_collector_frees() -> int:
    """Strips found unreachable but kept alive by a cycle, since collector_off began."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(isinstance(thing, Strip) for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_line_left_whole_by_the_compositor_leaves_no_cycle(collector_off: None) -> None:
    free_drawn_lines()
    strip = Strip([Segment("hello"), Segment(" world")])
    assert strip.divide([strip.cell_length]) == [strip]
    assert strip.crop_extend(0, strip.cell_length, None) is strip
    cut = strip.divide([5, strip.cell_length])  # a real cut is still cut, and cached
    assert [part.text for part in cut] == ["hello", " world"]
    assert strip.divide([5, strip.cell_length]) is cut
    assert strip.crop_extend(0, 8, None).text == "hello wo"
    del strip, cut
    assert strips_only_the_collector_frees() == 0


def test_a_cleared_line_cache_leaves_no_cycle(collector_off: None) -> None:
    free_drawn_lines()
    cache: LRUCache[int, Strip] = LRUCache(10)
    for line in range(20):
        cache[line] = Strip([Segment(f"line {line}")])
    assert cache.get(19).text == "line 19" and cache.get(5) is None
    cache.clear()
    assert len(cache) == 0 and cache.get(19) is None
    assert strips_only_the_collector_frees() == 0
    for line in range(3):  # still works after a clear
        cache[line] = Strip([Segment(f"again {line}")])
    assert [cache.get(line).text for line in range(3)] == ["again 0", "again 1", "again 2"]


async def test_the_console_drawing_messages_and_typing_leaves_no_line_in_a_cycle(
        local_server, tmp_path, collector_off: None) -> None:
    dana = customer_client(local_server.origin, "dana")
    try:
        await open_conversation(dana, "dana-support", "hello")
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: "hello" in transcript_text(app))
            await pilot.press("enter", "tab")
            strips_only_the_collector_frees()  # what starting up left
            for number in range(5):
                await dana.publish().channel("dana-support").message(
                    customer_payload(f"message {number}")).future()
                await wait_until(lambda n=number: f"message {n}" in transcript_text(app))
                await pilot.press(*"typed", "backspace", "backspace")
                await pilot.pause()
            assert strips_only_the_collector_frees() == 0
    finally:
        await dana.stop()
