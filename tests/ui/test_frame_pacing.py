"""After a slow frame, the next is asked for as soon as pacing allows: a breather after
it, not Textual's one to two whole intervals (ui/frame_pacing.py)."""

from __future__ import annotations

import asyncio
import time

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from suppgram_tui.ui.frame_pacing import BREATHER, FramePacer, use_frame_pacing

SLOW = 0.05
"""Seconds the slow widget takes to draw: three of Textual's intervals."""


class SlowWidget(Widget):
    slow = False

    def render_line(self, y: int) -> Strip:
        if self.slow and y == 0:
            time.sleep(SLOW)
        return Strip.blank(self.size.width)


class PacedScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        use_frame_pacing(self)

    def compose(self) -> ComposeResult:
        yield SlowWidget()
        yield Static("fast", id="fast")


class PacedApp(App[None]):
    CSS = "SlowWidget { height: 5; }"

    def on_mount(self) -> None:
        self.push_screen(PacedScreen())


async def test_the_frame_after_a_slow_one_waits_only_a_breather() -> None:
    async with PacedApp().run_test(size=(40, 10)) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, PacedScreen)
        pacer = screen._update_timer
        assert isinstance(pacer, FramePacer)
        slow, fast = screen.query_one(SlowWidget), screen.query_one("#fast", Static)
        await pilot.pause()
        frames: list[float] = []
        display = pilot.app._display

        def timed(on_screen: object, update: object) -> None:
            frames.append(time.monotonic())
            display(on_screen, update)  # type: ignore[arg-type]

        pilot.app._display = timed  # type: ignore[method-assign]
        slow.slow = True
        slow.refresh()
        while not frames:
            await asyncio.sleep(0.001)
        slow.slow = False
        fast.update("changed")  # right after the slow frame: how long until it is drawn?
        loop = asyncio.get_running_loop()
        for _ in range(100):
            if pacer._pending is not None:
                break
            await asyncio.sleep(0)
        assert pacer._pending is not None, "the change asked for no frame"
        wait = pacer._pending.when() - loop.time()  # Textual's timer: 17-33 ms
        assert wait <= BREATHER, f"the next frame waits {wait * 1000:.1f} ms"
        assert pacer._ended - pacer._started >= SLOW  # it was the slow frame
        while len(frames) < 2:  # and it comes
            await asyncio.sleep(0.001)
