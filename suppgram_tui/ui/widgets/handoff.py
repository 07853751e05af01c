"""Keys typed into a pane that cannot use them reach the composer whole and in order.

A terminal delivers a fast typist's keys, a paste or a macro in one read. Textual parses
the whole read at once and queues every key to the widget that has focus at that moment;
moving the focus later does not redirect the keys already queued. So the pane that
receives the first typed key forwards that key, and every key queued behind it, to the
composer itself, in its own key handler, synchronously; and it gives the focus away
only once its queue is empty, when no key can be left behind to arrive after the ones
that go to the composer directly. While the screen has not yet shown a conversation
the pane asked for (a cursor move, Enter), keys wait here, so that none lands in the
previous conversation's composer.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget


class TypingHandOff:
    """Forwards one pane's keys and pastes to a target widget until the focus is there."""

    def __init__(self, source: Widget) -> None:
        self.source = source
        self.target: Widget | None = None
        """Where typing goes (the composer); nothing is forwarded until it is set."""
        self._forwarding = False
        self._held: list[events.Key | events.Paste] = []
        self._awaited = 0
        """Conversations asked of the screen and not yet shown: keys wait meanwhile."""

    @property
    def forwarding(self) -> bool:
        """True from the first forwarded key until the focus has reached the target."""
        return self._forwarding

    def start(self, event: events.Key | events.Paste | None = None) -> bool:
        """Send `event` and everything after it to the target; False without a target."""
        if self.target is None:
            return False
        self._forwarding = True
        if event is not None:
            self.forward(event)
        return True

    def forward(self, event: events.Key | events.Paste) -> None:
        """Take `event` from the source and queue a copy to the target (or hold it)."""
        event.stop()
        event.prevent_default()
        copy: events.Key | events.Paste = events.Paste(event.text) if isinstance(
            event, events.Paste) else events.Key(event.key, event.character)
        if self._awaited:
            self._held.append(copy)
        elif self.target is not None:
            # marked forwarded as the app marks the keys it routes: bubbling back up to
            # the app, the copy must not be taken for new input
            self.target._forward_event(copy)

    def asked(self) -> None:
        """The source asked the screen to show a conversation: hold keys till it has."""
        self._awaited += 1

    def shown(self) -> None:
        """The screen has shown the conversation asked for: release what was held."""
        self._awaited = max(0, self._awaited - 1)
        if self._awaited:
            return
        held, self._held = self._held, []
        for event in held:
            if self.target is not None:
                self.target._forward_event(event)
        self.idle()

    def idle(self) -> None:
        """The source's queue may be empty: if so, every key it had is on its way to the
        target, so later keys may go there directly; move the focus.

        A source that does not have the focus yet (the list, while the search box that
        forwards to it still has it) waits for it; if the focus went anywhere else,
        the agent moved it and forwarding ends."""
        if not self._forwarding or self._awaited or not _nothing_queued(self.source):
            return
        focused = self.source.app.focused
        if focused is not self.source and _forwards_to(focused, self.source):
            return
        self._forwarding = False
        if focused is self.source and self.target is not None and self.target.is_attached:
            self.target.screen.set_focus(self.target)


def _nothing_queued(widget: Widget) -> bool:
    """No message waits for `widget`: none in its queue, and none taken out of it early
    (Textual takes the next one out to see whether it replaces the current one, and
    sends Idle while it is out)."""
    return widget.message_queue_size == 0 and widget._pending_message is None


def _forwards_to(widget: Widget | None, target: Widget) -> bool:
    """Whether `widget` is handing its keys on to `target` right now."""
    handoff = getattr(widget, "handoff", None)
    return isinstance(handoff, TypingHandOff) and handoff.target is target \
        and handoff.forwarding
