"""Messages into conversations: who wrote it, what it says, once, and what it changes.

Live messages and history take the same path; only live ones count as unread, reopen a
resolved conversation or reach listeners. A message the converter ignores (receipts, bot
events), or one from a publisher named as no customer, is set aside: it opens, reopens
and renames nothing and is never unread; the raw view (F2) shows it with the reason.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

from suppgram_tui.converters import (
    ConverterFailed,
    ConverterLike,
    IgnoredMessage,
    UndecodableMessage,
    WireMessage,
    decode_message,
)
from suppgram_tui.converters.base import ignored_reason
from suppgram_tui.converters.guard import HANGS_BEFORE_SKIPPING
from suppgram_tui.link.events import MalformedEnvelope
from suppgram_tui.model import ConversationState, Message, MessageKind

from .attachments import attachments_of, plain_file_message
from .awareness import Awareness
from .conversation import SYSTEM_KINDS, Author, Conversation, Conversations, Delivery, Entry
from .events import ConversationChanged, EntryAdded, EntryUpdated, InboxEvent, Notice
from .transport import Transport
from .uploads import already_carried, uploads_of

log = logging.getLogger(__name__)
UPLOAD_SHOWN = "the upload of a file that the next message shows (Chat SDK)"



def decode(converter: ConverterLike, wire: WireMessage) -> tuple[Message | None, str | None]:
    """The converter's reading of `wire`, or why it has none: never raises."""
    message, error, ignored = read(converter, wire)
    return message, error if ignored is None else f"the converter ignored it: {ignored}"


def read(converter: ConverterLike, wire: WireMessage
         ) -> tuple[Message | None, str | None, str | None]:
    """The converter's reading of `wire`, why it has none, or why it ignored it."""
    message, error, ignored, _ = attempt(converter, wire)
    return message, error, ignored


def attempt(converter: ConverterLike, wire: WireMessage
            ) -> tuple[Message | None, str | None, str | None, bool]:
    """`read`, and whether the converter hung on it."""
    try:
        return decode_message(converter, wire), None, None, False
    except IgnoredMessage as ignored:
        return None, None, ignored_reason(ignored), False
    except UndecodableMessage as error:
        cause = error.__cause__
        return None, str(error), None, isinstance(cause, ConverterFailed) and cause.hung
    except Exception as error:  # normalize_message and friends: never fatal
        return None, f"could not read this message: {error!r}", None, False


class Ingest:
    """Turns what PubNub delivered into entries of the right conversation."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 converter: ConverterLike, awareness: Awareness, agent_name: str,
                 support_user: str, emit: Callable[[InboxEvent], None],
                 on_reopen: Callable[[Conversation], object],
                 on_stale: Callable[[Conversation], object],
                 ignored_publishers: Iterable[str] = ()) -> None:
        self.conversations = conversations
        self.transport = transport
        self.converter = converter
        self.awareness = awareness
        self.agent_name = agent_name
        self.support_user = support_user
        self.groups = tuple(transport.settings.channel_groups)
        self._emit = emit
        self._on_reopen = on_reopen
        """Called when a customer reopened a conversation, to write its shared state."""
        self._on_stale = on_stale
        """Called when the shared state may have moved on (it is read again)."""
        self.ignored_publishers = frozenset(ignored_publishers)
        """Publishers that are no customers (bots, other systems): set aside."""
        self._hangs = 0
        """Decodes in a row that hung; from `HANGS_BEFORE_SKIPPING` on, none is tried."""
        self._hung: str | None = None

    def use_converter(self, converter: ConverterLike) -> int:
        """Read with `converter` from now on, and read again every message the last one
        could not (undecodable, or skipped after it hung); how many now read."""
        self.converter, self._hangs, self._hung = converter, 0, None
        mended = 0
        for conversation in self.conversations.values():
            for entry in conversation.entries:
                if entry.message is None and entry.error and entry.timetoken is not None:
                    mended += self._read_again(conversation, entry)
        return mended

    def _read_again(self, conversation: Conversation, entry: Entry) -> int:
        wire = WireMessage(entry.payload, entry.channel, entry.publisher, entry.timetoken or 0,
                           entry.meta, custom_message_type=entry.custom_message_type)
        message, error, _ = self._read(wire)
        if message is None:
            entry.error = error or entry.error
            return 0
        entry.message, entry.error = message, None
        if entry.author is not Author.CUSTOMER and message.kind in SYSTEM_KINDS:
            entry.author = Author.SYSTEM
        entry.revision += 1
        self._emit(EntryUpdated(conversation.channel, entry))
        self._emit(ConversationChanged(conversation.channel))
        return 1

    def _read(self, wire: WireMessage) -> tuple[Message | None, str | None, str | None]:
        """`read`, unless the converter hung on the last few messages: then not asked."""
        if self._hung is not None:
            return None, (f"not read: the converter hung on {HANGS_BEFORE_SKIPPING} "
                          f"messages in a row ({self._hung}); fix it and reload it "
                          "(Ctrl+L) to read this one"), None
        message, error, ignored, hung = attempt(self.converter, wire)
        if hung:
            self._hangs += 1
            if self._hangs >= HANGS_BEFORE_SKIPPING:
                self._hung = error
                log.warning("the converter hung %d times in a row; not asking it until "
                            "it is reloaded: %s", self._hangs, error)
        else:
            self._hangs = 0
        return message, error, ignored

    def not_a_customer(self, publisher: str | None) -> bool:
        """A publisher named with --pubnub-ignore-publisher."""
        return publisher is not None and publisher in self.ignored_publishers

    def classify(self, wire: WireMessage) -> tuple[Author, str | None]:
        """By publisher: anyone but the support user is the customer, whatever `kind` says."""
        if wire.publisher != self.support_user:
            return Author.CUSTOMER, None
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else {}
        agent = meta.get("agent")
        agent = agent if isinstance(agent, str) else None
        return (Author.ME if agent == self.agent_name else Author.AGENT), agent

    def add(self, wire: WireMessage, *, live: bool) -> Entry | None:
        """File `wire` in its conversation; None if it was already there (or my echo)."""
        author, agent = self.classify(wire)
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else None
        client_id = meta.get("client_id") if meta else None
        client_id = client_id if isinstance(client_id, str) else None
        known = self.conversations.get(wire.channel)
        if client_id is not None and known is not None \
                and (pending := known.pending_reply(client_id)):
            self._echo(known, pending, wire.timetoken)
            return None
        message: Message | None = None
        error: str | None = None
        ignored: str | None = f"{wire.publisher} is not a customer (--pubnub-ignore-publisher)"
        if not self.not_a_customer(wire.publisher):
            message, error, ignored = self._read(wire)
            if wire.file is not None and message is None:  # the file is the message
                message, error, ignored = plain_file_message(
                    wire, customer=author is Author.CUSTOMER), None, None
        if ignored is not None:
            self._set_aside(known, wire, meta, ignored)
            return None
        if message is not None and author is not Author.CUSTOMER and message.kind in SYSTEM_KINDS:
            author = Author.SYSTEM
        conversation = self.conversations.ensure(wire.channel)
        if conversation.group is None and wire.subscription in self.groups:
            conversation.group = wire.subscription
        first = live and not conversation.entries
        # one string per channel and per publisher, not one per message (each envelope
        # decodes its own): ~100 bytes a message at 10,000 conversations x 25
        publisher = sys.intern(wire.publisher) if isinstance(wire.publisher, str) \
            else wire.publisher
        entry = Entry(channel=conversation.channel, timetoken=wire.timetoken,
                      publisher=publisher,
                      payload=wire.message, author=author,
                      message=message, error=error,
                      meta=meta, agent_name=agent, client_id=client_id,
                      delivery=Delivery.SENT if author is Author.ME else None,
                      custom_message_type=wire.custom_message_type,
                      attachments=attachments_of(wire, message))
        if already_carried(conversation, entry):
            self._set_aside(conversation, wire, meta, UPLOAD_SHOWN)
            return None
        if not conversation.add(entry):
            return None
        self._fold_uploads(conversation, entry, live=live)
        reopened = False
        if author is Author.CUSTOMER:
            reopened = self._customer_wrote(conversation, wire.publisher, message, live=live)
        elif message is not None and author is Author.SYSTEM:
            if not self.transport.features.app_context:
                _apply_system_message(conversation, message)
            elif live:  # App Context holds the outcome, and may be newer than the message
                self._on_stale(conversation)
        if live:
            new = first or reopened
            earlier = new and len(conversation.entries) > 1
            mine = conversation.assignee == self.agent_name
            self._emit(EntryAdded(wire.channel, entry, new, earlier, mine))
            self._emit(ConversationChanged(wire.channel))
        return entry

    def _set_aside(self, conversation: Conversation | None, wire: WireMessage,
                   meta: dict[str, Any] | None, reason: str) -> None:
        """No conversation is opened, reopened, renamed or made unread by it; the raw
        view of a conversation that exists shows it."""
        log.info("set aside a message on %s from %s: %s", wire.channel, wire.publisher, reason)
        if conversation is not None:
            conversation.set_aside(Entry(
                channel=wire.channel, timetoken=wire.timetoken, publisher=wire.publisher,
                payload=wire.message, author=Author.SYSTEM, meta=meta, ignored=reason,
                custom_message_type=wire.custom_message_type))

    def _fold_uploads(self, conversation: Conversation, entry: Entry, *, live: bool) -> None:
        """Uploads shown before the message naming their files go to the raw view."""
        for upload in uploads_of(conversation, entry):
            conversation.entries.remove(upload)
            upload.ignored = UPLOAD_SHOWN
            conversation.set_aside(upload)
            if live and upload.author is Author.CUSTOMER and conversation.unread \
                    and (upload.timetoken or 0) > conversation.read_marker:
                conversation.unread -= 1  # one message, counted once

    def _echo(self, conversation: Conversation, pending: Entry, timetoken: int) -> None:
        if pending.timetoken is None:  # my reply's echo: now it has its timetoken
            conversation.entries.remove(pending)
            pending.timetoken, pending.delivery = timetoken, Delivery.SENT
            conversation.add(pending)
            self._emit(EntryUpdated(conversation.channel, pending))

    def _customer_wrote(self, conversation: Conversation, publisher: str | None,
                        message: Message | None, *, live: bool) -> bool:
        """Unread and reopen bookkeeping; True if this message reopened the conversation."""
        conversation.customer_id = publisher
        conversation.customer_typing = False
        self.awareness.refresh(conversation)
        rating = message is not None and message.kind is MessageKind.RATED
        if not live or rating:  # a rating closes the loop, it opens nothing
            return False
        conversation.unread += 1
        if conversation.state is ConversationState.RESOLVED:
            self.reopen(conversation)
            return True
        return False

    def malformed(self, event: MalformedEnvelope) -> None:
        log.warning("malformed envelope on %s: %s", event.channel, event.reason)
        if event.channel is None or event.channel.endswith("-pnpres"):
            self._emit(Notice(f"Received something unreadable from PubNub: {event.reason}",
                              "warning"))
            return
        conversation = self.conversations.ensure(event.channel)
        entry = Entry(channel=event.channel, timetoken=None, publisher=None, payload=event.raw,
                      author=Author.SYSTEM, error=event.reason)
        conversation.entries.append(entry)
        self._emit(EntryAdded(event.channel, entry))

    def reopen(self, conversation: Conversation) -> None:
        """A customer wrote after resolve: back in the queue, unassigned.

        The tags stay: they describe the customer's matter, which a customer who writes
        again after a resolve usually has not left (an agent removes them with Ctrl+T).
        """
        conversation.state, conversation.assignee = ConversationState.NEW, None
        conversation.opened_at = conversation.last_activity
        if self.transport.features.app_context:
            self._on_reopen(conversation)

    def reopen_missed(self) -> None:
        """Customers who wrote after a resolve while no console ran: back in the queue."""
        for conversation in self.conversations.values():
            if conversation.state is not ConversationState.RESOLVED:
                continue
            entries = conversation.entries
            last_resolve = max((e.sort_key for e in entries if e.message is not None
                                and e.message.kind is MessageKind.RESOLVED), default=0)
            if any(e.author is Author.CUSTOMER and e.sort_key > last_resolve
                   and not (e.message is not None and e.message.kind is MessageKind.RATED)
                   for e in entries):
                self.reopen(conversation)


def count_unread(conversation: Conversation) -> int:
    """Customer messages after my read marker; never read here: what is still unanswered."""
    if conversation.read_marker:
        return sum(1 for e in conversation.entries if e.author is Author.CUSTOMER
                   and e.timetoken is not None and e.timetoken > conversation.read_marker)
    count = 0
    for entry in conversation.entries:
        if entry.author is Author.CUSTOMER:
            count += 1
        elif entry.author in (Author.ME, Author.AGENT):
            count = 0
    return count


def _apply_system_message(conversation: Conversation, message: Message) -> None:
    if message.kind is MessageKind.RESOLVED:
        conversation.state = ConversationState.RESOLVED
    elif message.kind is MessageKind.POSTPONED:
        conversation.state, conversation.assignee = ConversationState.NEW, None
