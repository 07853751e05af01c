"""My replies: queued in the outbox before they are published, shown while on their way.

Answering a conversation nobody has taken claims it, and the claim is won before the
reply is published: the agent who loses keeps the text, and the customer gets one
answer. Offline, the claim is left to the outbox, which makes it before publishing.
A reply is then an entry ("sending…"), on disk before `send` returns; it gets its
timetoken from PubNub's answer or from its own echo, whichever comes first.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from suppgram_tui.converters import (
    ConverterFailed,
    ConverterLike,
    WireMessage,
    reply_publication,
)
from suppgram_tui.link.limits import PUBLISH_LIMIT, in_words, publish_size
from suppgram_tui.model import ConversationState, Message, MessageKind
from suppgram_tui.store import AgentStore, OutboxEntry, OutboxState, StoreError
from suppgram_tui.text import identifier
from suppgram_tui.timetokens import from_datetime

from .actions import ActionFailed, ClaimLost
from .conversation import SYSTEM_KINDS, Author, Conversations, Delivery, Entry
from .events import EntryAdded, EntryUpdated, InboxEvent, Notice
from .ingest import decode
from .outbox import Outbox
from .transport import Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReplySize:
    """A reply's size as PubNub counts it (escaped, with its meta), against the limit."""

    size: int
    limit: int = PUBLISH_LIMIT
    problem: str | None = None
    """The converter could not encode the reply (it raised, hung, returned no JSON)."""

    @property
    def too_large(self) -> bool:
        return self.size > self.limit

    @property
    def refused(self) -> bool:
        """Enter will not send it: too large, or the converter cannot encode it."""
        return self.too_large or self.problem is not None

    def __str__(self) -> str:
        return f"{in_words(self.size)} of {self.limit // 1024} KB"


class ReplyRefused(Exception):
    """The reply cannot go out as it is (too large); nothing was sent, the agent keeps
    it. The message says why."""


class Replies:
    """Sends, retries and tracks this agent's replies (and resolved/postponed notices)."""

    def __init__(self, conversations: Conversations, store: AgentStore, transport: Transport,
                 *, converter: ConverterLike, agent_name: str, support_user: str,
                 clock: Callable[[], datetime], emit: Callable[[InboxEvent], None],
                 claim: Callable[[str], Awaitable[None]], connected: Callable[[], bool],
                 on_delivered: Callable[[], None]) -> None:
        self.conversations = conversations
        self.store = store
        self.converter = converter
        self.agent_name = agent_name
        self.support_user = support_user
        self.clock = clock
        self._emit = emit
        self._claim = claim
        """Claims a conversation; raises `ClaimLost`, or `ActionFailed`."""
        self._connected = connected
        self._on_delivered = on_delivered
        """Called when the number of pending replies went down."""
        self._sending: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        """Per conversation: replies are queued in the order the agent sent them."""
        self.outbox = Outbox(store, transport, claim=claim, on_sent=self._sent,
                             on_failed=self._failed)
        self._hung: str | None = None
        """The converter hung measuring a reply: not asked again on every keystroke
        until it is replaced (Ctrl+L)."""

    def use_converter(self, converter: ConverterLike) -> None:
        """Encode replies and notices with `converter` from now on (a reload)."""
        self.converter, self._hung = converter, None

    @property
    def pending(self) -> int:
        return len(self.outbox.pending)

    def size(self, channel: str, text: str) -> ReplySize:
        """How big `text` would be as a publish, counted as PubNub counts it; with the
        converter's failure, in words, when it cannot encode it."""
        if self._hung is not None:
            return ReplySize(0, problem=self._hung)
        try:
            pending = self._pending(channel, Message(MessageKind.FROM_AGENT, self.clock(),
                                                     text))
        except ConverterFailed as failed:
            if failed.hung:
                self._hung = str(failed)
            return ReplySize(0, problem=str(failed))
        return ReplySize(publish_size(channel, pending.message, pending.meta))

    async def send(self, channel: str, text: str) -> Entry:
        """Claim the conversation if nobody has it, then queue the reply; it is on disk
        when this returns. Nothing is sent when it raises: `ClaimLost` (someone else has
        it, in words naming who), `ReplyRefused` (too large, or the converter cannot
        encode it), `StoreError` (the reply cannot be stored)."""
        message = Message(MessageKind.FROM_AGENT, self.clock(), text)
        try:
            pending = self._pending(channel, message)
        except ConverterFailed as failed:
            log.warning("the converter failed on a reply on %s: %s", channel, failed)
            raise ReplyRefused(f"Not sent: the converter cannot encode this reply: "
                               f"{str(failed).rstrip('.')}. Fix the converter and reload "
                               "it (Ctrl+L), then send the reply again.") from None
        size = ReplySize(publish_size(channel, pending.message, pending.meta))
        if size.too_large:
            typed = in_words(len(text.encode("utf-8", "surrogatepass")))
            raise ReplyRefused(f"This reply ({typed} of text) is {in_words(size.size)} once "
                               f"encoded for PubNub, which takes at most "
                               f"{size.limit // 1024} KB: shorten it or send it in parts. "
                               "Nothing was sent.")
        async with self._sending[channel]:
            if self._unassigned(channel):
                pending = replace(pending, claim=not await self._claim_now(channel))
            self.outbox.add(pending, send=False)  # StoreError if known to be unwritable
            try:
                await self.store.save()
            except StoreError as error:
                self.outbox.drop(pending.client_id)
                raise StoreError(f"{error} Your reply was not sent.") from None
            entry = self._show(pending, message)
            self.outbox.kick()
        self._hung = None  # it encoded after all: measure again
        log.info("reply queued on %s", channel)
        if self.store.draft(channel).strip() == text.strip():
            self.store.set_draft(channel, "")
        return entry

    async def claim_if_free(self, channel: str) -> None:
        """Claim a conversation nobody has, as a reply does (an answer in one of its
        Chat SDK threads); raises `ClaimLost`, naming who, if another agent has it."""
        async with self._sending[channel]:
            if self._unassigned(channel):
                await self._claim_now(channel)

    def _unassigned(self, channel: str) -> bool:
        conversation = self.conversations.ensure(channel)
        return conversation.assignee is None and \
            conversation.state is not ConversationState.RESOLVED

    async def _claim_now(self, channel: str) -> bool:
        """Claim before the reply is queued; False leaves it to the outbox (offline).
        A claim PubNub refuses outright is said, and the reply goes out anyway."""
        if not self._connected():
            return False
        try:
            await self._claim(channel)
        except ClaimLost:
            raise
        except ActionFailed as failed:
            if failed.transient:
                return False
            self._emit(Notice(str(failed), "error"))
        return True

    def prepare(self, channel: str, message: Message) -> OutboxEntry:
        """A notice (resolved, postponed) encoded for `queue`, before anything changes:
        raises `ConverterFailed` when the converter cannot encode it."""
        return self._pending(channel, message)

    def queue(self, pending: OutboxEntry, message: Message) -> Entry:
        """Stored before it is published, delivered exactly once (resolved and postponed
        notices, from `prepare`). Raises `StoreError` (a sentence) when the store cannot
        be written."""
        self.outbox.add(pending)  # first: StoreError if it cannot be stored, and not shown
        return self._show(pending, message)

    def _pending(self, channel: str, message: Message) -> OutboxEntry:
        """The publish as the converter makes it (payload, meta, custom message type)."""
        client_id = uuid.uuid4().hex
        out = reply_publication(self.converter, message, agent=self.agent_name,
                                client_id=client_id)
        return OutboxEntry(client_id, channel, out.message, out.meta or {},
                           custom_message_type=out.custom_message_type)

    def _show(self, pending: OutboxEntry, message: Message) -> Entry:
        entry = self._entry(pending, message)
        self.conversations.ensure(pending.channel).add(entry)
        self._emit(EntryAdded(pending.channel, entry))
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
        error = None
        if message is None:
            # not sent yet, so no timetoken: the instant it was written stands in for it
            wire = WireMessage(pending.message, pending.channel, self.support_user,
                               from_datetime(pending.created), pending.meta,
                               custom_message_type=pending.custom_message_type)
            message, error = decode(self.converter, wire)
        author = Author.SYSTEM if message and message.kind in SYSTEM_KINDS else Author.ME
        failed = pending.state is OutboxState.FAILED
        return Entry(channel=pending.channel, timetoken=None, publisher=self.support_user,
                     payload=pending.message, author=author, message=message,
                     error=error, meta=pending.meta, agent_name=self.agent_name,
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
            self._emit(Notice(f"A reply in {identifier(pending.channel)} was not sent: "
                              f"{(pending.last_error or '').rstrip('.')}. F5 there tries again.",
                              "error"))
        self._emit(EntryUpdated(pending.channel, entry))
