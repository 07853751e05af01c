"""Who is around a conversation: the customer online or typing, other agents viewing.

Ephemeral by nature: it comes from presence and signals, is never stored, and fades on
timers, so it lives apart from the conversation state the inbox keeps. It also tells
the other consoles which conversation this agent has open and that the agent is typing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.events import AgentViewing, PresenceChanged, SignalReceived

from .conversation import Conversation
from .events import ConversationChanged, InboxEvent
from .transport import Transport

log = logging.getLogger(__name__)

TYPING_SECONDS = 6.0
"""A customer's "typing…" fades this long after their last typing signal."""
TYPING_SIGNAL_EVERY = 3.0
"""The agent's own typing signal is sent at most this often."""
TYPING_TAIL_TICKS = 5_000_000
"""A typing signal within half a second after the customer's message is that message's tail
(sent from the same keystrokes, it landed just after it), not a new one begun."""
VIEWING_REPEAT = 10.0
"""Seconds between repeats of my "viewing"; other agents' fade when they stop."""
VIEWING_EXPIRES = 25.0
"""Seconds after which another agent's "viewing" fades unless repeated: a console killed
without a word (kill -9, a dropped laptop) stops showing after two missed repeats. All
consoles share the support user's id, so presence cannot tell one agent's console from
another's; the repeats are the heartbeat."""


class Awareness:
    """Keeps the presence, typing and viewing flags of the inbox's conversations."""

    def __init__(self, conversations: dict[str, Conversation], transport: Transport, *,
                 agent_name: str, support_user: str, emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 announce: bool = True, chat_sdk: bool = False) -> None:
        self.conversations = conversations
        self.transport = transport
        self.agent_name = agent_name
        self.support_user = support_user
        self.announce = announce
        """Send typing and "viewing" signals (off in snapshots: their timing varies)."""
        self.chat_sdk = chat_sdk
        """Customers are on PubNub's Chat SDK: speak its typing signal, and let its other
        events (receipts) be (the converter's `chat_sdk` says so)."""
        self._typing_in: str | None = None
        """Where my last typing signal went, until I said I stopped."""
        self._emit = emit
        self._spawn = spawn
        self._typing_timers: dict[str, asyncio.TimerHandle] = {}
        self._viewers_seen: dict[tuple[str, str], float] = {}
        self._last_typing_signal = 0.0
        self._viewing_task: asyncio.Task[None] | None = None
        self.online: dict[str, tuple[str, ...]] = {}
        """channel → user ids present, from here-now and presence events. Tuples, replaced
        rather than changed: most channels have one user, 48 bytes (a set was 216)."""
        self.open_channel: str | None = None
        """The conversation the agent has open here."""
        self.announced: str | None = None
        """The conversation this console last told the others it is viewing."""

    def start(self) -> None:
        """Repeat my "viewing" and forget others' that stopped, on a timer of my own."""
        self._spawn(self._repeat())

    async def stop(self) -> None:
        """So others stop showing me."""
        if self.announced is not None:
            await self.viewing(None, self.announced)

    async def _repeat(self) -> None:
        while True:
            await asyncio.sleep(VIEWING_REPEAT)
            self.expire_viewers()
            if self.announce and self.open_channel is not None:
                await self.viewing(self.open_channel, None)

    async def load_presence(self) -> None:
        try:
            online = await self.transport.online()
        except LinkRequestError as error:
            log.info("here-now failed: %s", error)
            return
        for channel, uuids in online.items():
            self.online[channel] = tuple(dict.fromkeys(uuids))
            if channel in self.conversations:
                self.refresh(self.conversations[channel])

    # what the others do -------------------------------------------------------------

    def presence(self, event: PresenceChanged) -> None:
        """Kept per channel even before its first message, which may come after the join."""
        if event.uuid is None or event.uuid == self.support_user:
            return
        others = tuple(uuid for uuid in self.online.get(event.channel, ()) if uuid != event.uuid)
        if event.action in ("join", "state-change"):
            self.online[event.channel] = (*others, event.uuid)
        elif event.action in ("leave", "timeout"):
            self.online[event.channel] = others
        conversation = self.conversations.get(event.channel)
        if conversation is not None and self.refresh(conversation):
            self._emit(ConversationChanged(event.channel))

    def refresh(self, conversation: Conversation) -> bool:
        """Set the online dot from what presence said; True if it changed."""
        customers = set(self.online.get(conversation.channel, ())) - {self.support_user}
        customer = conversation.customer_id
        online = customer in customers if customer else bool(customers)
        changed = online != conversation.customer_online
        conversation.customer_online = online
        return changed

    def signal(self, event: SignalReceived) -> None:
        conversation = self.conversations.get(event.channel)
        if conversation is None:
            return
        if event.publisher == self.support_user:
            return  # an agent's typing indicator, meant for the customer
        typing = typing_of(event.payload, chat_sdk=self.chat_sdk)
        if typing is None:
            return  # a Chat SDK event that is not about typing (a receipt)
        if typing and _tail_of_a_message(conversation, event):
            return
        conversation.customer_typing = typing
        self._restart_typing_timer(event.channel)
        self._emit(ConversationChanged(event.channel))

    def agent_viewing(self, event: AgentViewing) -> None:
        conversation = self.conversations.get(event.channel)
        if conversation is None or event.agent == self.agent_name:
            return
        if event.viewing:
            for other in self.conversations.values():
                if event.agent in other.viewers and other is not conversation:
                    other.viewers -= {event.agent}  # one conversation at a time
                    self._emit(ConversationChanged(other.channel))
            conversation.viewers |= {event.agent}
            self._viewers_seen[(event.channel, event.agent)] = time.monotonic()
        else:
            conversation.viewers -= {event.agent}
            self._viewers_seen.pop((event.channel, event.agent), None)
        self._emit(ConversationChanged(event.channel))

    def expire_viewers(self, older_than: float | None = None) -> None:
        """Forget agents who stopped saying they are viewing (their console quit or died)."""
        older_than = VIEWING_EXPIRES if older_than is None else older_than
        now = time.monotonic()
        for (channel, agent), seen in list(self._viewers_seen.items()):
            if now - seen > older_than:
                del self._viewers_seen[(channel, agent)]
                conversation = self.conversations.get(channel)
                if conversation is not None and agent in conversation.viewers:
                    conversation.viewers -= {agent}
                    self._emit(ConversationChanged(channel))

    def _restart_typing_timer(self, channel: str) -> None:
        timer = self._typing_timers.pop(channel, None)
        if timer is not None:
            timer.cancel()

        def expire() -> None:
            conversation = self.conversations.get(channel)
            if conversation is not None and conversation.customer_typing:
                conversation.customer_typing = False
                self._emit(ConversationChanged(channel))

        self._typing_timers[channel] = asyncio.get_running_loop().call_later(
            TYPING_SECONDS, expire)

    # what I do ------------------------------------------------------------------------

    def opened(self, channel: str) -> None:
        """The agent opened `channel`: tell the others, and stop saying the previous one."""
        previous, self.open_channel = self.open_channel, channel
        if self.announce and previous != channel:
            if self._viewing_task is not None:
                self._viewing_task.cancel()  # only the latest conversation matters
            self._viewing_task = self._spawn(self.viewing(channel, previous))

    async def viewing(self, channel: str | None, previous: str | None) -> None:
        """Tell other consoles which conversation I have open."""
        try:
            if previous is not None and previous != channel:
                await self.transport.announce_viewing(previous, self.agent_name, False)
            if channel is not None:
                await self.transport.announce_viewing(channel, self.agent_name, True)
            self.announced = channel
        except LinkRequestError as error:
            log.info("could not announce viewing: %s", error)

    def typing(self, channel: str) -> None:
        """The agent typed in `channel`'s composer: a signal now and then, not per key."""
        now = time.monotonic()
        if self.announce and now - self._last_typing_signal >= TYPING_SIGNAL_EVERY:
            self._last_typing_signal = now
            self._spawn(self._send_typing(channel))

    def stopped_typing(self, channel: str) -> None:
        """The agent sent (or dropped) the reply: a Chat SDK app stops showing "typing"
        now rather than after its timeout."""
        if self.announce and self.chat_sdk and self._typing_in == channel:
            self._typing_in = None
            self._last_typing_signal = 0.0
            self._spawn(self._send_typing(channel, False))

    async def _send_typing(self, channel: str, typing: bool = True) -> None:
        if self.chat_sdk:  # what the Chat SDK's startTyping / stopTyping send
            payload: dict[str, Any] = {"type": "typing", "value": typing}
        else:
            payload = {"typing": True, "agent": self.agent_name[:20]}
        if typing:
            self._typing_in = channel
        try:
            await self.transport.signal(channel, payload)
        except LinkRequestError as error:
            log.info("typing signal failed: %s", error)


def typing_of(payload: Any, *, chat_sdk: bool = False) -> bool | None:
    """Whether a customer's signal says they type: the console's `{"typing": true}` (or
    "typing") and the Chat SDK's `{"type": "typing", "value": true}`. With Chat SDK
    customers another typed event (a receipt) says nothing about typing: None."""
    if isinstance(payload, dict):
        if payload.get("type") == "typing" and "typing" not in payload:
            return payload.get("value") is True
        if chat_sdk and "type" in payload:
            return None
        return bool(payload.get("typing", False))
    return payload == "typing"


def _tail_of_a_message(conversation: Conversation, event: SignalReceived) -> bool:
    """True if `event` came from the keystrokes of a message that already arrived."""
    for entry in reversed(conversation.entries):
        if entry.publisher == event.publisher and entry.timetoken is not None:
            return event.timetoken - entry.timetoken < TYPING_TAIL_TICKS
    return False
