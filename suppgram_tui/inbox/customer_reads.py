"""How far each Chat SDK customer has read their conversation: "✓ read by Dana".

The customer's app writes it to their membership's custom `lastReadMessageTimetoken`
(`markAllMessagesAsRead`, `setLastReadMessage`) and says so with a `{"type": "receipt"}`
signal on the channel. The console reads the membership once when the conversation is
opened, then follows membership App Context events (where the keyset sends them) and
the customer's receipt signals (which every keyset sends).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.events import MembershipChanged, SignalReceived

from .conversation import Conversation, Conversations
from .events import CustomerReadMoved, InboxEvent
from .transport import Transport

log = logging.getLogger(__name__)


class CustomerReads:
    """Keeps each conversation's `customer_read` current."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 enabled: bool) -> None:
        self.conversations = conversations
        self.transport = transport
        self.enabled = enabled
        self._emit = emit
        self._spawn = spawn
        self._asked: set[str] = set()
        """Conversations whose customer's membership was read (once each)."""

    def opened(self, channel: str) -> None:
        """The agent opened `channel`: read the customer's position once."""
        conversation = self.conversations.get(channel)
        if not self.enabled or not self.transport.features.app_context \
                or conversation is None or conversation.customer_id is None \
                or channel in self._asked:
            return
        self._asked.add(channel)
        self._spawn(self._read(conversation, conversation.customer_id))

    def forget(self) -> None:
        """After a reconnect: events may have been missed, read each one again."""
        self._asked.clear()

    async def _read(self, conversation: Conversation, customer: str) -> None:
        try:
            timetoken = await self.transport.last_read(conversation.channel, customer)
        except LinkRequestError as error:
            self._asked.discard(conversation.channel)
            log.info("read position of %s not read: %s", customer, error)
            return
        if timetoken is not None:
            self._moved(conversation, timetoken)

    def membership(self, event: MembershipChanged) -> None:
        """A membership App Context event: the customer's, on their conversation?"""
        conversation = self._customers(event.channel, event.uuid)
        if conversation is None or event.removed:
            return
        if event.last_read is not None:
            self._moved(conversation, event.last_read)
        elif not event.custom_sent:  # the event left the custom out: ask
            self._spawn(self._read(conversation, event.uuid))

    def signal(self, event: SignalReceived) -> None:
        """The customer's app said it read up to a message (`onReadReceiptReceived`)."""
        payload = event.payload
        if not isinstance(payload, dict) or payload.get("type") != "receipt":
            return
        conversation = self._customers(event.channel, event.publisher)
        timetoken = _timetoken(payload.get("messageTimetoken"))
        if conversation is not None and timetoken is not None:
            self._moved(conversation, timetoken)

    def _customers(self, channel: str, user: str | None) -> Conversation | None:
        conversation = self.conversations.get(channel)
        if not self.enabled or conversation is None or user is None \
                or user != conversation.customer_id:
            return None
        return conversation

    def _moved(self, conversation: Conversation, timetoken: int) -> None:
        if timetoken != conversation.customer_read:
            conversation.customer_read = timetoken
            self._emit(CustomerReadMoved(conversation.channel))


def _timetoken(value: Any) -> int | None:
    """A timetoken as the Chat SDK writes it (a string, or a number), or None."""
    try:
        timetoken = int(value)
    except (TypeError, ValueError):
        return None
    return timetoken if timetoken > 0 else None
