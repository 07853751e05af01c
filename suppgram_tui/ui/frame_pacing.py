"""Draw a frame as soon as there is something to draw, at most 60 times a second.

Textual paces a screen's frames with an interval timer that skips missed ticks: after a
frame that ran longer than the interval (20-35 ms under a flood of messages, on these
machines), it sleeps to the second grid point after now, so the next frame waits 17 to
33 ms after the slow one ended, whatever became dirty meanwhile. A key pressed during a
flood waited there for nothing (scale bench: Down's frame started 20-30 ms after the
key was handled). The pacer starts the next frame when the screen asks (it goes idle
with something dirty), no sooner than one period after the previous frame started, and
leaves a short breather after a slow frame so frames cannot take the whole loop. A
frame that shows what a key did does not wait out the period either: a Down arriving
just after a frame began waited 12-16 ms of it for nothing (scale bench, 90 Downs).
"""

from __future__ import annotations

import asyncio
import time
from contextlib import ExitStack
from typing import Any

from textual import constants
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

PERIOD = 1 / constants.MAX_FPS
"""Shortest time between two frames' starts (Textual's own cap, 60 a second)."""
BREATHER = PERIOD / 4
"""Free time after a frame before the next: the inbox and the link get the loop too."""
SETTLE = PERIOD / 4
"""Longest a due frame waits for widgets that asked for a repaint and have not yet told
the screen (each tells it from its own idle, a message later): drawn without them, a
key's effect was split over two frames."""
INPUT_GRACE = PERIOD / 4
"""A frame that began this soon after a key may not have shown it yet (the focused
widget handles it a message later): the next frame skips the period too."""
HOLD_LIMIT = 0.1
"""Longest a request to the screen holds frames back (it is answered in 1-5 ms)."""


class FramePacer:
    """Stands in for a screen's update timer, which Textual only pauses and resumes."""

    def __init__(self, screen: Screen[Any]) -> None:
        self._screen = screen
        self._pending: asyncio.TimerHandle | None = None
        self._started = 0.0
        self._ended = 0.0
        self._due: float | None = None
        """When the frame waiting now was first due (it may wait SETTLE for more)."""
        self._input_at = float("-inf")
        """When the agent last pressed a key or pasted."""

    def input_arrived(self) -> None:
        """A key or a paste came in: what it changes is drawn without the period's wait."""
        self._input_at = time.monotonic()

    def resume(self) -> None:
        """The screen has something to draw: a frame as soon as pacing allows."""
        now = time.monotonic()
        key_since_last_frame = self._input_at > self._started - INPUT_GRACE
        earliest = now if key_since_last_frame else self._started + PERIOD
        when = max(earliest, self._ended + BREATHER, now)
        loop = asyncio.get_running_loop()
        if self._pending is not None:
            if self._pending.when() <= loop.time() + (when - now):
                return  # already coming as soon
            self._pending.cancel()
        self._pending = loop.call_later(when - now, self._frame)

    def pause(self) -> None:
        """Drawn meanwhile (a layout draws at once): nothing waits any more."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _frame(self) -> None:
        self._pending = None
        screen = self._screen
        if not screen.is_attached or screen.app._exit or screen.app._batch_count:
            self._due = None
            return  # batched: the batch's end asks again, and this was no frame
        now = time.monotonic()
        if self._due is None:
            self._due = now
        if now - self._due < SETTLE and _refresh_on_its_way(screen):
            self._pending = asyncio.get_running_loop().call_later(SETTLE / 8, self._frame)
            return
        self._due = None
        self._started = now
        try:
            screen._on_timer_update()
        except Exception as error:  # noqa: BLE001 - as Textual's timer: the app reports it
            screen.app._handle_exception(error)
        finally:
            self._ended = time.monotonic()


def _refresh_on_its_way(screen: Screen[Any]) -> bool:
    return any(widget._repaint_required or widget._layout_required
               for widget in screen.walk_children(Widget))


def input_arrived(screen: Screen[Any]) -> None:
    """Tell `screen`'s pacer, if it has one, that a key or a paste came in."""
    pacer = getattr(screen, "_Screen__update_timer", None)
    if isinstance(pacer, FramePacer):
        pacer.input_arrived()


def use_frame_pacing(screen: Screen[Any]) -> None:
    """Give `screen` (before it is mounted) the pacer in place of its update timer."""
    screen._Screen__update_timer = FramePacer(screen)  # type: ignore[attr-defined]


class FramesHeld:
    """No frame while the screen has not yet answered what a key asked of it (a cursor
    move asks it to show a conversation), for at most HOLD_LIMIT: a frame in between
    drew half of the key's effect and the rest waited for the next frame, a whole slow
    frame later under load."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._asked = 0
        self._batch: ExitStack | None = None
        self._limit: Timer | None = None

    def hold(self) -> None:
        """A request is on its way to the screen."""
        self._asked += 1
        if self._batch is None:
            self._batch = ExitStack()
            self._batch.enter_context(self._widget.app.batch_update())
            self._limit = self._widget.set_timer(HOLD_LIMIT, self._release_all)

    def release(self) -> None:
        """The screen has answered one request: frames go on once it answered them all."""
        self._asked = max(0, self._asked - 1)
        if not self._asked:
            self._release_all()

    def _release_all(self) -> None:
        self._asked = 0
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        if self._batch is not None:
            batch, self._batch = self._batch, None
            batch.close()
            if self._widget.is_attached:
                self._widget.screen.check_idle()  # what waited is drawn now
