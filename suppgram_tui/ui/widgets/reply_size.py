"""Under the composer: how close the reply is to PubNub's size limit, once it is close."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from suppgram_tui.inbox import ReplySize

SHOWN_FROM = 0.8
"""Share of the limit from which the size is shown."""

MEASURE_AFTER = 0.3
"""Seconds of no typing before the reply is measured: measuring runs the converter, on
the main thread (to stop one that hangs), so never once per key."""


class ReplySizeMeter(Static):
    """Hidden for an ordinary reply; "Reply size 27.3 KB of 32 KB" near the limit, and
    in the error colour, saying Enter will not send it, over the limit or when the
    converter cannot encode it (with its error)."""

    _pending: Timer | None = None

    def measure_soon(self, measure: Callable[[], ReplySize | None]) -> None:
        """Show what `measure` says once typing pauses for `MEASURE_AFTER` seconds; a
        newer call replaces an older one not yet run."""
        self.cancel_measuring()
        self._pending = self.set_timer(MEASURE_AFTER, lambda: self.show_size(measure()))

    def cancel_measuring(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None

    def show_size(self, size: ReplySize | None) -> None:
        """`None`: nothing to measure (no conversation open, an empty composer)."""
        self.cancel_measuring()
        if size is not None and size.problem is not None:
            self.set_class(True, "-near")
            self.set_class(True, "-over")
            self.update(Content(f"The converter cannot encode this reply, Enter will not "
                                f"send it: {size.problem}"))
            return
        near = size is not None and size.size >= size.limit * SHOWN_FROM
        self.set_class(near, "-near")
        self.set_class(size is not None and size.too_large, "-over")
        if size is None or not near:
            return
        if size.too_large:
            self.update(Content(f"Reply size {size}: too large for PubNub, Enter will not "
                                "send it. Shorten it or send it in parts."))
        else:
            self.update(Content(f"Reply size {size}"))
