"""The one adapter from inbox events to the screens' messages.

The inbox reports every change as it happens, up to thousands a second; the screens
want to redraw at most 20 times a second and to toast a burst of arrivals once. This
is where the two meet: it collects, coalesces and posts. It never calls the inbox, and
the screens never call it.
"""

from __future__ import annotations

import asyncio
import time

from textual.message import Message
from textual.message_pump import MessagePump

from suppgram_tui.inbox import (
    Author,
    ConnectionStatus,
    ConversationChanged,
    CustomerReadMoved,
    EntryAdded,
    EntryUpdated,
    HistoryLoaded,
    InboxEvent,
    Notice,
    ReadMarkerMoved,
)
from suppgram_tui.text import one_line

from .messages import (
    Arrival,
    ConnectionChanged,
    ConversationsChanged,
    CustomerWrote,
    NoticeRaised,
    TranscriptChanged,
)

REFRESH_INTERVAL = 1 / 20
"""Seconds between redraws while changes keep coming."""
ALERT_BATCH = 0.4
"""Arrivals this close together make one toast."""


class InboxBridge:
    """Listens to the inbox and posts what happened to the screen it is attached to."""

    def __init__(self) -> None:
        self._target: MessagePump | None = None
        self._changed: set[str] = set()
        self._repainted: set[str] = set()
        self._transcripts: set[str] = set()
        self._flush_pending = False
        self._last_flush = 0.0
        self._alerts: list[Arrival] = []

    def attach(self, target: MessagePump) -> None:
        """Post to `target` from now on (the connecting screen, then the console)."""
        self._target = target

    def on_event(self, event: InboxEvent) -> None:
        """The inbox listener."""
        match event:
            case EntryAdded():
                self._changed.add(event.channel)
                self._transcripts.add(event.channel)
                self._alert(event)
            case EntryUpdated() | HistoryLoaded():
                self._changed.add(event.channel)
                self._transcripts.add(event.channel)
            case ConversationChanged():
                self._changed.add(event.channel)
            case CustomerReadMoved():
                self._transcripts.add(event.channel)
            case ReadMarkerMoved():
                self._repainted.add(event.channel)
            case ConnectionStatus():
                self._post(ConnectionChanged(event.state, event.detail, event.pending_replies))
                return
            case Notice():
                self._post(NoticeRaised(event.text, event.severity))
                return
        self._schedule_flush()

    def _post(self, message: Message) -> None:
        if self._target is not None:
            self._target.post_message(message)

    # redraws ----------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        """The first change after a quiet spell goes out at once (after the rest of the
        events being delivered now, so one poll's worth is one redraw); later ones wait
        for the next twentieth of a second."""
        if self._flush_pending:
            return
        self._flush_pending = True
        loop = asyncio.get_running_loop()
        wait = self._last_flush + REFRESH_INTERVAL - time.monotonic()
        if wait > 0:
            loop.call_later(wait, self._flush)
        else:
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._last_flush = time.monotonic()
        changed, self._changed = self._changed, set()
        repainted, self._repainted = self._repainted, set()
        transcripts, self._transcripts = self._transcripts, set()
        if transcripts:
            self._post(TranscriptChanged(transcripts))
        if changed or repainted:
            self._post(ConversationsChanged(changed | repainted, resort=bool(changed)))

    # alerts -----------------------------------------------------------------------------

    def _alert(self, event: EntryAdded) -> None:
        """A customer opened (or reopened) a conversation, or wrote in one of mine."""
        if event.entry.author is not Author.CUSTOMER:
            return
        name = one_line(event.entry.publisher or event.channel, 40)
        text = one_line(event.entry.text, 80)
        if event.new_conversation:
            opening = "reopened" if event.reopened else "new"
            self._alerts.append(Arrival(event.channel, name, text, opening))
        elif event.mine:
            self._alerts.append(Arrival(event.channel, name, text))
        else:
            return
        if len(self._alerts) == 1:
            asyncio.get_running_loop().call_later(ALERT_BATCH, self._flush_alerts)

    def _flush_alerts(self) -> None:
        """Alerts arriving together become one toast, so a burst cannot bury the screen
        (the screen leaves out the conversation it shows)."""
        alerts, self._alerts = self._alerts, []
        if alerts:
            self._post(CustomerWrote(alerts))
