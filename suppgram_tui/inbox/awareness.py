"""Who is around a conversation: the customer online or typing, other agents viewing.

Ephemeral by nature: it comes from presence and signals, is never stored, and fades on
timers, so it lives apart from the conversation state the inbox keeps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.events import AgentViewing, PresenceChanged, SignalReceived

from .entries import ConversationView
from .events import ConversationChanged, InboxEvent
from .transport import Transport

log = logging.getLogger(__name__)

TYPING_SECONDS = 6.0
VIEWING_EXPIRES = 90.0
"""Seconds after which another agent's "viewing" fades unless repeated (consoles repeat
it every 15 s)."""


class Awareness:
    """Keeps the presence, typing and viewing flags of the inbox's conversations."""

    def __init__(self, conversations: dict[str, ConversationView], transport: Transport, *,
                 agent_name: str, support_user: str,
                 emit: Callable[[InboxEvent], None]) -> None:
        self.conversations = conversations
        self.transport = transport
        self.agent_name = agent_name
        self.support_user = support_user
        self._emit = emit
        self._typing_timers: dict[str, asyncio.TimerHandle] = {}
        self._viewers_seen: dict[tuple[str, str], float] = {}
        self.online: dict[str, set[str]] = {}
        """channel → user ids present, from here-now and presence events."""
        self.open_channel: str | None = None
        """The conversation this console announced it is viewing."""

    async def load_presence(self) -> None:
        try:
            online = await self.transport.online()
        except LinkRequestError as error:
            log.info("here-now failed: %s", error)
            return
        for channel, uuids in online.items():
            self.online[channel] = set(uuids)
            if channel in self.conversations:
                self.refresh(self.conversations[channel])

    def presence(self, event: PresenceChanged) -> None:
        """Kept per channel even before its first message, which may come after the join."""
        if event.uuid is None or event.uuid == self.support_user:
            return
        uuids = self.online.setdefault(event.channel, set())
        if event.action in ("join", "state-change"):
            uuids.add(event.uuid)
        elif event.action in ("leave", "timeout"):
            uuids.discard(event.uuid)
        view = self.conversations.get(event.channel)
        if view is not None and self.refresh(view):
            self._emit(ConversationChanged(event.channel))

    def refresh(self, view: ConversationView) -> bool:
        """Set the online dot from what presence said; True if it changed."""
        customers = self.online.get(view.channel, set()) - {self.support_user}
        online = view.customer_id in customers if view.customer_id else bool(customers)
        changed = online != view.customer_online
        view.customer_online = online
        return changed

    def signal(self, event: SignalReceived) -> None:
        view = self.conversations.get(event.channel)
        if view is None:
            return
        if event.publisher == self.support_user:
            return  # an agent's typing indicator, meant for the customer
        payload = event.payload if isinstance(event.payload, dict) else {}
        view.customer_typing = bool(payload.get("typing", event.payload == "typing"))
        self._restart_typing_timer(event.channel)
        self._emit(ConversationChanged(event.channel))

    def agent_viewing(self, event: AgentViewing) -> None:
        view = self.conversations.get(event.channel)
        if view is None or event.agent == self.agent_name:
            return
        if event.viewing:
            for other in self.conversations.values():
                if event.agent in other.viewers and other is not view:
                    other.viewers.discard(event.agent)  # one conversation at a time
                    self._emit(ConversationChanged(other.channel))
            view.viewers.add(event.agent)
            self._viewers_seen[(event.channel, event.agent)] = time.monotonic()
        else:
            view.viewers.discard(event.agent)
            self._viewers_seen.pop((event.channel, event.agent), None)
        self._emit(ConversationChanged(event.channel))

    def expire_viewers(self, older_than: float = VIEWING_EXPIRES) -> None:
        """Forget agents who stopped saying they are viewing (their console quit or died)."""
        now = time.monotonic()
        for (channel, agent), seen in list(self._viewers_seen.items()):
            if now - seen > older_than:
                del self._viewers_seen[(channel, agent)]
                view = self.conversations.get(channel)
                if view is not None and agent in view.viewers:
                    view.viewers.discard(agent)
                    self._emit(ConversationChanged(channel))

    async def viewing(self, channel: str | None, previous: str | None) -> None:
        """Tell other consoles which conversation I have open."""
        try:
            if previous is not None and previous != channel:
                await self.transport.announce_viewing(previous, self.agent_name, False)
            if channel is not None:
                await self.transport.announce_viewing(channel, self.agent_name, True)
            self.open_channel = channel
        except LinkRequestError as error:
            log.info("could not announce viewing: %s", error)

    def _restart_typing_timer(self, channel: str) -> None:
        timer = self._typing_timers.pop(channel, None)
        if timer is not None:
            timer.cancel()

        def expire() -> None:
            view = self.conversations.get(channel)
            if view is not None and view.customer_typing:
                view.customer_typing = False
                self._emit(ConversationChanged(channel))

        self._typing_timers[channel] = asyncio.get_running_loop().call_later(
            TYPING_SECONDS, expire)

    async def send_typing(self, channel: str) -> None:
        try:
            await self.transport.signal(channel, {"typing": True,
                                                  "agent": self.agent_name[:20]})
        except LinkRequestError as error:
            log.info("typing signal failed: %s", error)
