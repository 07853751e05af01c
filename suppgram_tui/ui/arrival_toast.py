"""The one toast that tells the agent what customers wrote elsewhere.

A toast per arrival would stack down the screen over the composer; instead the news
still on display is told again with the newest added, in one toast that replaces the
last. What the agent is reading is left out: it is on screen already.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.notifications import Notification, Notify

from suppgram_tui.text import one_line, visible

from .messages import Arrival

LISTED = 3
"""Arrivals named in one toast; the rest are counted."""
SHOWN_FOR = 6.0
"""Seconds a toast of one arrival stays; a summary stays a little longer."""


class ArrivalToast:
    """Keeps the arrivals whose toast is still up, and the toast itself."""

    def __init__(self, app: App[object], *, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.app = app
        self.clock = clock
        self.recent: list[tuple[float, Arrival]] = []
        """(when, what) of each arrival told in the toast on screen."""
        self.toast: Notification | None = None

    def tell(self, arrivals: list[Arrival], *, except_channel: str | None) -> bool:
        """Toast `arrivals` not in `except_channel`, with the news still on screen;
        whether there was anything to tell."""
        now = self.clock()
        fresh = [(now, arrival) for arrival in arrivals if arrival.channel != except_channel]
        if not fresh:
            return False
        self.recent = [(at, arrival) for at, arrival in self.recent if now - at < SHOWN_FOR
                       and arrival.channel != except_channel] + fresh
        self._show(self.summary([arrival for _, arrival in self.recent]))
        return True

    @staticmethod
    def summary(arrivals: list[Arrival]) -> str:
        if len(arrivals) == 1:
            return arrivals[0].line
        listed = "\n".join(one_line(arrival.short, 50) for arrival in arrivals[-LISTED:])
        earlier = f"\n…{len(arrivals) - LISTED} earlier" if len(arrivals) > LISTED else ""
        return f"{len(arrivals)} new messages, newest last:{earlier}\n{listed}"

    def _show(self, text: str) -> None:
        # Textual's toasts have no public "replace": remove the last one the way its
        # own timer does, then post the new one as `App.notify` does
        app = self.app
        if self.toast is not None and self.toast in app._notifications:
            app._unnotify(self.toast, refresh=False)
        timeout = SHOWN_FOR if len(self.recent) == 1 else SHOWN_FOR + 2
        self.toast = Notification(visible(text), timeout=timeout, markup=False)
        app.post_message(Notify(self.toast))
