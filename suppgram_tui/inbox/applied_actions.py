"""Message actions onto the messages they are about, live and from history.

Live: each `e:3` event is applied to the loaded message with that timetoken (one not
loaded is left to history). From history: the open conversation's newest page is read
with its actions once (PubNub gives actions for one channel at a time), and each older
page is read with them, when the customers are on the Chat SDK. A message with a thread
is handed to `threads.py`, which reads and follows its replies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.events import MessageActionChanged

from .conversation import Conversation, Conversations, Entry
from .events import ConversationChanged, EntryUpdated, InboxEvent
from .message_actions import MessageActions
from .transport import Transport

log = logging.getLogger(__name__)

PAGE = 25
"""The most messages PubNub returns with their actions in one request."""


class AppliedActions:
    """Keeps each loaded message's edits, deletes, reactions and threads."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 emit: Callable[[InboxEvent], None],
                 add: Callable[[Any], object],
                 on_thread: Callable[[Conversation, Entry], None]) -> None:
        self.conversations = conversations
        self.transport = transport
        self._emit = emit
        self._add = add
        """Files a history message (one that arrived after the backfill) in its conversation."""
        self._on_thread = on_thread
        """Called for a message that has a thread: its replies are read and followed."""
        self._read: set[str] = set()
        """Conversations whose newest page was read with its actions."""

    def forget(self) -> None:
        """Read each conversation's actions again when it is next opened."""
        self._read.clear()

    def changed(self, event: MessageActionChanged) -> None:
        conversation = self.conversations.get(event.channel)
        entry = conversation.entry_at(event.message_timetoken) if conversation else None
        if conversation is None or entry is None:
            log.debug("an action on a message not loaded: %r", event)
            return
        actions = entry.actions or MessageActions()
        if not actions.apply(event.type, event.value, event.publisher, event.action_timetoken,
                             removed=event.removed, author=entry.publisher):
            log.info("message action %r on %s is not shown", event.type, event.channel)
            return
        entry.actions = actions
        entry.revision += 1
        if actions.thread is not None:
            self._on_thread(conversation, entry)
        self._emit(EntryUpdated(event.channel, entry))
        if entry is conversation.last_entry:
            self._emit(ConversationChanged(event.channel))  # the list's preview

    async def read_newest(self, channel: str) -> None:
        """The open conversation's newest page with its actions, once per conversation."""
        if channel in self._read or not self.transport.features.history:
            return
        self._read.add(channel)
        try:
            wires, actions = await self.transport.with_actions(channel, PAGE)
        except LinkRequestError as error:
            self._read.discard(channel)
            log.info("message actions of %s not read: %s", channel, error)
            return
        for wire in wires:
            self._add(wire)
        conversation = self.conversations.ensure(channel)
        self.from_history(conversation, actions)

    def from_history(self, conversation: Conversation, actions: dict[int, Any]) -> None:
        """History's actions by message timetoken: what each message says now."""
        for timetoken, raw in actions.items():
            entry = conversation.entry_at(timetoken)
            if entry is None:
                continue
            applied = MessageActions.from_history(raw, entry.publisher)
            if applied == entry.actions:
                continue
            entry.actions = applied
            entry.revision += 1
            if applied is not None and applied.thread is not None:
                self._on_thread(conversation, entry)
            self._emit(EntryUpdated(conversation.channel, entry))
        if conversation.last_entry is not None and \
                conversation.last_entry.timetoken in actions:
            self._emit(ConversationChanged(conversation.channel))
