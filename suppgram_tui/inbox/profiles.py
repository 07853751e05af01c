"""Customers' names (and emails) from App Context, for customers on the Chat SDK.

A Chat SDK app keeps its user's name in the user's App Context metadata. The console
reads it once per customer, lazily: for the conversations at the top of the list at
start, a conversation a customer opens by writing, and one the agent looks at. One
request per customer ever, one at a time, never one per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from suppgram_tui.link.errors import LinkRequestError

from .conversation import Conversation, Conversations
from .events import ConversationChanged, InboxEvent
from .transport import Transport

log = logging.getLogger(__name__)

AT_START = 50
"""Conversations whose customers are looked up at start: the top of the list."""


class Profiles:
    """The App Context profile of each customer, read once and cached."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 enabled: bool) -> None:
        self.conversations = conversations
        self.transport = transport
        self.enabled = enabled
        self._emit = emit
        self._spawn = spawn
        self.known: dict[str, dict[str, str]] = {}
        """User id → profile ({} when the user has none, or it could not be read)."""
        self._queue: list[str] = []
        self._worker: asyncio.Task[None] | None = None

    def at_start(self) -> None:
        """The customers of the conversations that most recently heard from them."""
        newest = sorted(self.conversations.values(),
                        key=lambda c: c.last_customer_message, reverse=True)[:AT_START]
        for conversation in newest:
            self.want(conversation)

    def want(self, conversation: Conversation) -> None:
        """Show the customer's name here, reading it first if it is not known yet."""
        uuid = conversation.customer_id
        if not self.enabled or uuid is None or not self.transport.features.app_context:
            return
        if uuid in self.known:
            _apply(conversation, self.known[uuid])
            return
        if uuid not in self._queue:
            self._queue.append(uuid)
        if self._worker is None or self._worker.done():
            self._worker = self._spawn(self._read_queue())

    async def _read_queue(self) -> None:
        while self._queue:
            uuid = self._queue[0]
            try:
                profile = await self.transport.user_profile(uuid)
            except LinkRequestError as error:
                log.info("profile of %s not read: %s", uuid, error)
                profile = {}
            self._queue.remove(uuid)
            self.known[uuid] = profile
            if not profile:
                continue
            for conversation in self.conversations.values():
                if conversation.customer_id == uuid:
                    _apply(conversation, profile)
                    self._emit(ConversationChanged(conversation.channel))


def _apply(conversation: Conversation, profile: dict[str, str]) -> None:
    conversation.customer_name = profile.get("name")
    conversation.customer_email = profile.get("email")
