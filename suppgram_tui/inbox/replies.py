"""My replies: queued in the outbox before they are published, shown while on their way.

A reply is an entry at once ("sending…"); it gets its timetoken from PubNub's answer or
from its own echo on the subscription, whichever comes first. Answering a conversation
nobody has taken claims it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from suppgram_tui.converters import ConverterLike, WireMessage, reply_publication
from suppgram_tui.model import ConversationState, Message, MessageKind
from suppgram_tui.store import AgentStore, OutboxEntry, OutboxState

from .conversation import SYSTEM_KINDS, Author, Conversations, Delivery, Entry
from .events import EntryAdded, EntryUpdated, InboxEvent
from .ingest import decode
from .outbox import Outbox
from .transport import Transport

log = logging.getLogger(__name__)


class Replies:
    """Sends, retries and tracks this agent's replies (and resolved/postponed notices)."""

    def __init__(self, conversations: Conversations, store: AgentStore, transport: Transport,
                 *, converter: ConverterLike, agent_name: str, support_user: str,
                 clock: Callable[[], datetime], emit: Callable[[InboxEvent], None],
                 claim: Callable[[str], None], on_delivered: Callable[[], None]) -> None:
        self.conversations = conversations
        self.store = store
        self.converter = converter
        self.agent_name = agent_name
        self.support_user = support_user
        self.clock = clock
        self._emit = emit
        self._claim = claim
        """Claims a conversation in the background (the reply is already queued)."""
        self._on_delivered = on_delivered
        """Called when the number of pending replies went down."""
        self.outbox = Outbox(store, transport, on_sent=self._sent, on_failed=self._failed)

    @property
    def pending(self) -> int:
        return len(self.outbox.pending)

    def send(self, channel: str, text: str) -> Entry:
        """Queue a reply, clear the draft, and claim the conversation if nobody has it."""
        entry = self.queue(channel, Message(MessageKind.FROM_AGENT, self.clock(), text))
        log.info("reply queued on %s", channel)
        self.store.set_draft(channel, "")
        conversation = self.conversations[channel]
        if conversation.assignee is None and conversation.state is not ConversationState.RESOLVED:
            self._claim(channel)  # answering a conversation takes it
        return entry

    def queue(self, channel: str, message: Message) -> Entry:
        """Stored before it is published, delivered exactly once. Raises `StoreError`
        (a sentence) when the store cannot be written."""
        client_id = uuid.uuid4().hex
        out = reply_publication(self.converter, message, agent=self.agent_name,
                                client_id=client_id)
        pending = OutboxEntry(client_id, channel, out.message, out.meta or {},
                              custom_message_type=out.custom_message_type)
        entry = self._entry(pending, message)
        self.outbox.add(pending)  # first: StoreError if it cannot be stored, and not shown
        self.conversations.ensure(channel).add(entry)
        self._emit(EntryAdded(channel, entry))
        return entry

    def restore(self) -> None:
        """Replies left in the store by an earlier run show as pending again."""
        for pending in self.outbox.pending:
            conversation = self.conversations.ensure(pending.channel)
            if conversation.pending_reply(pending.client_id) is None:
                conversation.add(self._entry(pending))

    def retry_failed(self, channel: str) -> int:
        """Try the conversation's failed replies again; how many there were."""
        conversation = self.conversations.get(channel)
        failed = [e for e in conversation.entries if e.delivery is Delivery.FAILED
                  and e.client_id] if conversation else []
        for entry in failed:
            self.outbox.retry(entry.client_id or "")
            entry.delivery, entry.delivery_error = Delivery.PENDING, None
            self._emit(EntryUpdated(channel, entry))
        return len(failed)

    def _entry(self, pending: OutboxEntry, message: Message | None = None) -> Entry:
        if message is None:
            wire = WireMessage(pending.message, pending.channel, self.support_user, 0,
                               pending.meta, custom_message_type=pending.custom_message_type)
            message, _ = decode(self.converter, wire)
        author = Author.SYSTEM if message and message.kind in SYSTEM_KINDS else Author.ME
        failed = pending.state is OutboxState.FAILED
        return Entry(channel=pending.channel, timetoken=None, publisher=self.support_user,
                     payload=pending.message, author=author, message=message,
                     meta=pending.meta, agent_name=self.agent_name,
                     client_id=pending.client_id,
                     delivery=Delivery.FAILED if failed else Delivery.PENDING,
                     delivery_error=pending.last_error)

    def _sent(self, pending: OutboxEntry, timetoken: int) -> None:
        conversation = self.conversations.ensure(pending.channel)
        entry = conversation.pending_reply(pending.client_id)
        if entry is None or entry.timetoken is not None:
            return
        conversation.entries.remove(entry)
        entry.timetoken, entry.delivery, entry.delivery_error = timetoken, Delivery.SENT, None
        if not conversation.add(entry):  # the live echo got here first
            return
        self._emit(EntryUpdated(pending.channel, entry))
        self._on_delivered()

    def _failed(self, pending: OutboxEntry) -> None:
        entry = self.conversations.ensure(pending.channel).pending_reply(pending.client_id)
        if entry is None:
            return
        entry.delivery_error = pending.last_error
        if pending.state is OutboxState.FAILED:
            entry.delivery = Delivery.FAILED
        self._emit(EntryUpdated(pending.channel, entry))
