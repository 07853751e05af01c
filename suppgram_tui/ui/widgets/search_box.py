"""The search field: Enter or Escape opens the highlighted conversation for a reply."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import Input

from .handoff import TypingHandOff
from .in_order import run_own_binding


class SearchBox(Input):
    """Typed text filters the list; Enter or Escape calls `on_done` and hands the keys
    typed after it, in order, to `handoff.target` (the list, which passes them on)."""

    def __init__(self, *, on_done: Callable[[], None], placeholder: str,
                 id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.handoff = TypingHandOff(self)
        self._on_done = on_done

    async def on_key(self, event: events.Key) -> None:
        if self.handoff.forwarding:
            self.handoff.forward(event)
        elif event.key in ("enter", "escape") and self.handoff.start():
            event.stop()
            event.prevent_default()
            self._on_done()  # at once: the keys behind this one must find it done
        else:
            await run_own_binding(self, event)

    def on_paste(self, event: events.Paste) -> None:
        if self.handoff.forwarding:
            self.handoff.forward(event)

    def on_idle(self) -> None:
        self.handoff.idle()
