"""A Down in the list is one frame: the cursor and the next conversation are drawn
together, and no screen layout, whether the conversations scroll or not.

Before, the list drew its cursor row at once and the screen showed the conversation a
message later: the first frame had only the cursor, and the key's effect waited for a
second frame, under load a whole slow frame later (ui/frame_pacing.py).
"""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

import pyte
from textual._xterm_parser import XTermParser

from suppgram_tui.ui.frame_pacing import BREATHER, FramePacer
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until

WIDTH, HEIGHT = 120, 30
SIDEBAR = 40
"""Columns of the list; the pane is right of it."""
DOWN = "\x1b[B"


class Terminal:
    """What the console's updates draw on a terminal, frame by frame."""

    def __init__(self, app: Any) -> None:
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.Stream(self.screen)
        self.frames: list[tuple[list[str], list[str]]] = []
        """Each frame: the lines, and the background of each line's list column."""
        self._app = app
        self.stream.feed(app.screen._compositor.render_update(full=True)
                         .render_segments(app.console))

        def display(on_screen: Any, update: Any) -> None:
            if update is not None:
                self.stream.feed(update.render_segments(app.console))
                self.frames.append(self.now())

        app._display = display

    def now(self) -> tuple[list[str], list[str]]:
        return (list(self.screen.display),
                [self.screen.buffer[y][2].bg for y in range(HEIGHT)])


def row_of(lines: list[str], name: str) -> int:
    return next(y for y, line in enumerate(lines) if name in line[:SIDEBAR])


async def test_a_down_draws_the_cursor_and_the_conversation_in_one_frame(
        local_server, tmp_path) -> None:
    names = ["one-a", "two-b", "one-c", "two-d"]  # alternately short and long
    customers = [customer_client(local_server.origin, name) for name in names]
    try:
        for name, customer in zip(names, customers, strict=True):
            channel = f"{name}-support"
            await open_conversation(customer, channel, f"first from {name}")
            if name.startswith("two"):  # long enough to scroll the pane
                for number in range(30):
                    await customer.publish().channel(channel) \
                        .message(customer_payload(f"{name} line {number}")).future()
            await customer.publish().channel(channel) \
                .message(customer_payload(f"newest from {name}")).future()
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            screen = await wait_ready(app)
            await wait_until(lambda: "newest from two-d" in transcript_text(app))
            await asyncio.sleep(0.5)  # startup's frames and history settle
            await pilot.pause()
            terminal = Terminal(app)
            layouts = 0
            refresh_layout = screen._refresh_layout

            def counted(*args: Any, **kwargs: Any) -> None:
                nonlocal layouts
                layouts += 1
                refresh_layout(*args, **kwargs)

            screen._refresh_layout = counted  # type: ignore[method-assign]
            parser = XTermParser()
            lines, backgrounds = terminal.now()
            cursor_background = backgrounds[row_of(lines, "two-d")]
            for shown, name in pairwise(names[::-1]):
                assert backgrounds[row_of(lines, shown)] == cursor_background
                before = terminal.now()
                terminal.frames.clear()
                for event in parser.feed(DOWN):  # the bytes a terminal sends
                    app._driver.process_message(event)
                await wait_until(lambda n=name: f"newest from {n}" in transcript_text(app))
                await asyncio.sleep(0.2)
                changed = [frame for frame in terminal.frames if frame != before]
                assert changed, f"nothing drawn for Down to {name}"
                lines, backgrounds = changed[0]
                pane = "\n".join(line[SIDEBAR:] for line in lines)
                assert f"newest from {name}" in pane, \
                    f"the first frame after Down did not show {name}'s conversation"
                assert backgrounds[row_of(lines, name)] == cursor_background
                assert backgrounds[row_of(lines, shown)] != cursor_background
                lines, backgrounds = terminal.now()
            assert layouts == 0, "moving between conversations laid the screen out"
    finally:
        for customer in customers:
            await customer.stop()


async def test_a_down_right_behind_a_frame_does_not_wait_out_the_frame_interval(
        local_server, tmp_path) -> None:
    """Frames start at most 60 times a second, but a key's own frame is not held to
    that: a Down arriving just after a frame began waited up to 16 ms for nothing
    (bench/scale.py). Checked where the pacer schedules the frame, after the key."""
    names = ["first-a", "second-b"]
    customers = [customer_client(local_server.origin, name) for name in names]
    try:
        for name, customer in zip(names, customers, strict=True):
            await open_conversation(customer, f"{name}-support", f"newest from {name}")
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            screen = await wait_ready(app)
            await wait_until(lambda: "newest from second-b" in transcript_text(app))
            await asyncio.sleep(0.5)
            await pilot.pause()
            pacer = screen._Screen__update_timer  # type: ignore[attr-defined]
            assert isinstance(pacer, FramePacer)
            loop = asyncio.get_running_loop()
            schedules: list[tuple[float, float, float]] = []
            resume = pacer.resume

            def watched() -> None:
                resume()
                if pacer._pending is not None:  # (asked at, frame at, earliest allowed)
                    schedules.append((loop.time(), pacer._pending.when(),
                                      pacer._ended + BREATHER))

            pacer.resume = watched  # type: ignore[method-assign]
            parser = XTermParser()
            display = app._display
            drawn: list[float] = []

            def key_behind_the_frame(on_screen: Any, update: Any) -> None:
                display(on_screen, update)
                if not drawn:
                    drawn.append(loop.time())
                    for event in parser.feed(DOWN):  # the bytes, right behind the frame
                        app._driver.process_message(event)

            app._display = key_behind_the_frame  # type: ignore[method-assign]
            screen.query_one("#status").refresh()  # a frame, with the key behind it
            await wait_until(lambda: "newest from first-a" in transcript_text(app))
            after_key = [s for s in schedules if drawn and s[0] >= drawn[0]]
            assert after_key, "the Down asked for no frame"
            asked_at, frame_at, earliest = after_key[0]
            assert frame_at <= max(asked_at, earliest) + 0.001, (
                f"the Down's frame was put {(frame_at - asked_at) * 1000:.1f} ms after "
                f"it was handled: the frame interval waited out")
    finally:
        for customer in customers:
            await customer.stop()
