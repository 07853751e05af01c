"""The console's brain: conversations, their shared state, unread counts and replies.

No Textual and no PubNub here: PubNub is reached through a `Transport`, and listeners
(the UI, tests) receive `InboxEvent`s. Everything runs on one asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from suppgram_tui.converters import ConverterLike, UndecodableMessage, WireMessage, decode_message
from suppgram_tui.link.errors import ConflictError, LinkRequestError
from suppgram_tui.link.events import (
    AgentViewing,
    ChannelStateChanged,
    ChannelStateHint,
    ConnectionChanged,
    Features,
    LinkEvent,
    MalformedEnvelope,
    PresenceChanged,
    SignalReceived,
)
from suppgram_tui.model import ConnectionState, ConversationState, Message, MessageKind
from suppgram_tui.store import AgentStore, OutboxEntry
from suppgram_tui.timetokens import now_utc

from .awareness import Awareness
from .entries import SYSTEM_KINDS, Author, ConversationView, Delivery, Entry
from .events import (
    ConnectionStatus,
    ConversationChanged,
    EntryAdded,
    EntryUpdated,
    HistoryLoaded,
    InboxEvent,
    Notice,
)
from .outbox import Outbox
from .transport import Transport, TransportFactory

log = logging.getLogger(__name__)

TYPING_SECONDS = 6.0
VIEWING_EXPIRES = 90.0
BACKFILL_BUDGET = 50_000
"""Messages loaded at startup across all conversations: 25 each (the most a multi-channel
fetch returns) up to 2,000 conversations, fewer beyond, so that 10,000 conversations fit
in memory (each loaded message costs about 1 KB). A conversation loads older messages
when it is opened."""
"""Seconds after which another agent's "viewing" fades unless repeated (consoles repeat
it every 15 s)."""


class ClaimLost(Exception):
    """Another agent changed the conversation first; the message names who has it."""


class Inbox:
    """All conversations of the watched channel groups, as one agent sees them."""

    def __init__(self, transport_factory: TransportFactory, *, converter: ConverterLike,
                 store: AgentStore, agent_name: str, support_user: str,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.transport: Transport = transport_factory(self._on_link_event)
        self.converter = converter
        self.store = store
        self.agent_name = agent_name
        self.support_user = support_user
        self.clock = clock
        self.groups: tuple[str, ...] = tuple(getattr(getattr(self.transport, "settings", None),
                                                     "channel_groups", ()))
        self.conversations: dict[str, ConversationView] = {}
        self.connection = ConnectionState.CONNECTING
        self.connection_detail = ""
        self.outbox = Outbox(store, self.transport, on_sent=self._reply_sent,
                             on_failed=self._reply_failed)
        self._listeners: list[Callable[[InboxEvent], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.awareness = Awareness(self.conversations, self.transport,
                                   agent_name=agent_name, support_user=support_user,
                                   emit=self._emit)
        """Customer online and typing, other agents viewing (ephemeral)."""
        self.started = asyncio.Event()

    # listeners ----------------------------------------------------------------------

    def listen(self, listener: Callable[[InboxEvent], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: InboxEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("inbox listener failed on %r", event)

    @property
    def features(self) -> Features:
        return self.transport.features

    # startup ------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, then load channels, shared state, recent history and unread counts.

        The subscription's cursor is taken before history is read, so nothing published
        in between is missed; overlap is removed by timetoken.
        """
        await self.transport.start()
        for note in self.features.notes:
            self._emit(Notice(note, "warning"))
        channels = await self.transport.all_channels()
        for channel, group in channels.items():
            self._conversation(channel).group = group
        if self.features.app_context:
            for channel, (custom, etag) in (await self.transport.all_conversation_states()
                                            ).items():
                if channel in self.conversations:
                    self.conversations[channel].apply_shared_state(custom, etag)
        if self.features.history and channels:
            per_channel = max(1, min(25, BACKFILL_BUDGET // len(channels)))
            backfilled = await self.transport.backfill(channels, per_channel=per_channel)
            for messages in backfilled.values():
                for wire in messages:
                    self._ingest(wire, live=False)
            await self._load_unread(list(channels))
            self._reopen_missed()
        await self.awareness.load_presence()
        self._restore_pending_replies()
        self.outbox.start()
        self.started.set()
        for channel in self.conversations:
            self._emit(ConversationChanged(channel))

    async def stop(self) -> None:
        if self.awareness.open_channel is not None:  # so others stop showing me
            await self.awareness.viewing(None, self.awareness.open_channel)
        await self.outbox.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.transport.stop()
        await self.store.save()

    async def _load_unread(self, channels: list[str]) -> None:
        """Unread = customer messages after my read marker; counted server-side when the
        marker is older than what was loaded (one request per 100 channels)."""
        markers = self.store.read_markers()
        ask: dict[str, int] = {}
        for channel in channels:
            view = self.conversations[channel]
            marker = markers.get(channel, 0)
            view.read_marker = marker
            oldest = view.oldest_timetoken
            if marker and oldest is not None and marker < oldest:
                ask[channel] = marker
            else:
                view.unread = self._count_unread(view)
        if ask:
            for channel, count in (await self.transport.unread_counts(ask)).items():
                self.conversations[channel].unread = count

    def _reopen_missed(self) -> None:
        """Customers who wrote after a resolve while no console ran: back in the queue."""
        for view in self.conversations.values():
            if view.state is not ConversationState.RESOLVED:
                continue
            last_resolve = max((e.sort_key for e in view.entries if e.message is not None
                                and e.message.kind is MessageKind.RESOLVED), default=0)
            if any(e.author is Author.CUSTOMER and e.sort_key > last_resolve
                   and not (e.message is not None and e.message.kind is MessageKind.RATED)
                   for e in view.entries):
                self._reopen(view)

    def _count_unread(self, view: ConversationView) -> int:
        if view.read_marker:
            return sum(1 for e in view.entries if e.author is Author.CUSTOMER
                       and e.timetoken is not None and e.timetoken > view.read_marker)
        count = 0
        for entry in view.entries:  # never read here: what is still unanswered
            if entry.author is Author.CUSTOMER:
                count += 1
            elif entry.author in (Author.ME, Author.AGENT):
                count = 0
        return count

    def _restore_pending_replies(self) -> None:
        for pending in self.outbox.pending:
            view = self._conversation(pending.channel)
            if view.pending_reply(pending.client_id) is None:
                view.add(self._reply_entry(pending))

    # incoming ----------------------------------------------------------------------------

    def _on_link_event(self, event: LinkEvent) -> None:
        if isinstance(event, WireMessage):
            self._ingest(event, live=True)
        elif isinstance(event, ChannelStateChanged):
            self._apply_state_event(event)
        elif isinstance(event, AgentViewing):
            self.awareness.agent_viewing(event)
        elif isinstance(event, ChannelStateHint):
            view = self.conversations.get(event.channel)
            if view is not None and view.etag != event.etag and self.features.app_context:
                self._spawn(self._reread_state(view))
        elif isinstance(event, PresenceChanged):
            self.awareness.presence(event)
        elif isinstance(event, SignalReceived):
            self.awareness.signal(event)
        elif isinstance(event, MalformedEnvelope):
            self._ingest_malformed(event)
        elif isinstance(event, ConnectionChanged):
            self._apply_connection(event)

    def _conversation(self, channel: str) -> ConversationView:
        view = self.conversations.get(channel)
        if view is None:
            view = self.conversations[channel] = ConversationView(channel)
        return view

    def _classify(self, wire: WireMessage) -> tuple[Author, str | None]:
        """By publisher: anyone but the support user is the customer, whatever `kind` says."""
        if wire.publisher != self.support_user:
            return Author.CUSTOMER, None
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else {}
        agent = meta.get("agent")
        agent = agent if isinstance(agent, str) else None
        return (Author.ME if agent == self.agent_name else Author.AGENT), agent

    def _ingest(self, wire: WireMessage, *, live: bool) -> Entry | None:
        author, agent = self._classify(wire)
        message, error = self._decode(wire)
        if message is not None and author is not Author.CUSTOMER and message.kind in SYSTEM_KINDS:
            author = Author.SYSTEM
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else None
        client_id = meta.get("client_id") if meta else None
        view = self._conversation(wire.channel)
        if view.group is None and wire.subscription in self.groups:
            view.group = wire.subscription
        new_conversation = live and not view.entries
        if isinstance(client_id, str) and (pending := view.pending_reply(client_id)):
            if pending.timetoken is None:  # my reply's echo: now it has its timetoken
                view.entries.remove(pending)
                pending.timetoken = wire.timetoken
                pending.delivery = Delivery.SENT
                view.add(pending)
                self._emit(EntryUpdated(wire.channel, pending))
            return None
        entry = Entry(wire.channel, wire.timetoken, wire.publisher, wire.message, author,
                      message, error, meta, agent, client_id if isinstance(client_id, str)
                      else None, Delivery.SENT if author is Author.ME else None)
        if not view.add(entry):
            return None
        rating = message is not None and message.kind is MessageKind.RATED
        if author is Author.CUSTOMER:
            view.customer_id = wire.publisher
            view.customer_typing = False
            self.awareness.refresh(view)
            if live and not rating:  # a rating closes the loop, it opens nothing
                view.unread += 1
                if view.state is ConversationState.RESOLVED:
                    new_conversation = True
                    self._reopen(view)
        elif message is not None and author is Author.SYSTEM:
            if not self.features.app_context:
                self._apply_system_message(view, message)
            elif live:  # App Context holds the outcome, and may be newer than the message
                self._spawn(self._reread_state(view))
        if live:
            self._emit(EntryAdded(wire.channel, entry, new_conversation))
            self._emit(ConversationChanged(wire.channel))
        return entry

    def _decode(self, wire: WireMessage) -> tuple[Message | None, str | None]:
        try:
            return decode_message(self.converter, wire), None
        except UndecodableMessage as error:
            return None, str(error)
        except Exception as error:  # normalize_message and friends: never fatal
            return None, f"could not read this message: {error!r}"

    def _ingest_malformed(self, event: MalformedEnvelope) -> None:
        log.warning("malformed envelope on %s: %s", event.channel, event.reason)
        if event.channel is None or event.channel.endswith("-pnpres"):
            self._emit(Notice(f"Received something unreadable from PubNub: {event.reason}",
                              "warning"))
            return
        view = self._conversation(event.channel)
        entry = Entry(event.channel, None, None, event.raw, Author.SYSTEM, error=event.reason)
        view.entries.append(entry)
        self._emit(EntryAdded(event.channel, entry))

    def _apply_system_message(self, view: ConversationView, message: Message) -> None:
        if message.kind is MessageKind.RESOLVED:
            view.state = ConversationState.RESOLVED
        elif message.kind is MessageKind.POSTPONED:
            view.state, view.assignee = ConversationState.NEW, None

    def _reopen(self, view: ConversationView) -> None:
        """A customer wrote after resolve: a new conversation, back in the queue."""
        view.state, view.assignee, view.tags = ConversationState.NEW, None, []
        view.opened_at = view.last_activity
        if self.features.app_context:
            self._spawn(self._write_state(view, quiet=True))

    def _apply_state_event(self, event: ChannelStateChanged) -> None:
        view = self.conversations.get(event.channel)
        if view is None:
            return
        if event.removed:
            view.apply_shared_state({}, None)
        elif event.custom is not None:
            view.apply_shared_state(event.custom, event.etag)
        self._emit(ConversationChanged(event.channel))

    async def _reread_state(self, view: ConversationView) -> None:
        try:
            custom, etag = await self.transport.conversation_state(view.channel)
        except LinkRequestError as error:
            log.info("could not re-read state of %s: %s", view.channel, error)
            return
        view.apply_shared_state(custom, etag)
        self._emit(ConversationChanged(view.channel))

    def _apply_connection(self, event: ConnectionChanged) -> None:
        self.connection, self.connection_detail = event.state, event.detail
        self._emit(ConnectionStatus(event.state, event.detail, len(self.outbox.pending)))
        if event.state is ConnectionState.CONNECTED:
            self.outbox.kick()
            if event.resumed_from:
                self._spawn(self._catch_up(event.resumed_from))

    async def _catch_up(self, cursor: int) -> None:
        """After a gap, read history since the last cursor: PubNub's buffer is short."""
        channels = list(self.conversations)
        counts = await self.transport.unread_counts({ch: cursor for ch in channels})
        busy = [ch for ch, count in counts.items() if count]
        if busy:
            missed = await self.transport.backfill(busy, end=cursor + 1)
            for messages in missed.values():
                for wire in messages:
                    self._ingest(wire, live=True)

    # actions --------------------------------------------------------------------------

    def view(self, channel: str) -> ConversationView:
        return self.conversations[channel]

    def send_reply(self, channel: str, text: str) -> Entry:
        """Queue a reply: stored before it is published, delivered exactly once."""
        message = Message(MessageKind.FROM_AGENT, self.clock(), text)
        return self._queue(channel, message)

    def _queue(self, channel: str, message: Message) -> Entry:
        payload = self.converter.convert_to_pubnub(message)
        client_id = uuid.uuid4().hex
        pending = OutboxEntry(client_id, channel, payload,
                              {"agent": self.agent_name, "client_id": client_id})
        view = self._conversation(channel)
        entry = self._reply_entry(pending, message)
        view.add(entry)
        self.outbox.add(pending)
        self._emit(EntryAdded(channel, entry))
        return entry

    def _reply_entry(self, pending: OutboxEntry, message: Message | None = None) -> Entry:
        if message is None:
            message, _ = self._decode(WireMessage(pending.message, pending.channel,
                                                  self.support_user, 0, pending.meta))
        author = Author.SYSTEM if message and message.kind in SYSTEM_KINDS else Author.ME
        return Entry(pending.channel, None, self.support_user, pending.message, author,
                     message, None, pending.meta, self.agent_name, pending.client_id,
                     Delivery.FAILED if pending.state.value == "failed" else Delivery.PENDING,
                     pending.last_error)

    def retry_reply(self, channel: str, client_id: str) -> None:
        self.outbox.retry(client_id)
        entry = self._conversation(channel).pending_reply(client_id)
        if entry is not None and entry.delivery is Delivery.FAILED:
            entry.delivery, entry.delivery_error = Delivery.PENDING, None
            self._emit(EntryUpdated(channel, entry))

    def _reply_sent(self, pending: OutboxEntry, timetoken: int) -> None:
        view = self._conversation(pending.channel)
        entry = view.pending_reply(pending.client_id)
        if entry is None or entry.timetoken is not None:
            return
        view.entries.remove(entry)
        entry.timetoken, entry.delivery, entry.delivery_error = timetoken, Delivery.SENT, None
        if not view.add(entry):  # the live echo got here first
            return
        self._emit(EntryUpdated(pending.channel, entry))
        self._emit(ConnectionStatus(self.connection, self.connection_detail,
                                    len(self.outbox.pending)))

    def _reply_failed(self, pending: OutboxEntry) -> None:
        entry = self._conversation(pending.channel).pending_reply(pending.client_id)
        if entry is None:
            return
        entry.delivery_error = pending.last_error
        if pending.state.value == "failed":
            entry.delivery = Delivery.FAILED
        self._emit(EntryUpdated(pending.channel, entry))

    def mark_read(self, channel: str) -> None:
        view = self._conversation(channel)
        if view.last_activity > view.read_marker or view.unread:
            view.read_marker = max(view.read_marker, view.last_activity)
            view.unread = 0
            self.store.set_read_marker(channel, view.read_marker)
            self._emit(ConversationChanged(channel))

    async def claim(self, channel: str) -> None:
        """Assign to me; raises ClaimLost if another agent got there first."""
        def change(view: ConversationView) -> None:
            if view.assignee not in (None, self.agent_name) and \
                    view.state is ConversationState.ASSIGNED:
                raise ClaimLost(f"{view.assignee} already has this conversation.")
            view.state, view.assignee = ConversationState.ASSIGNED, self.agent_name
        await self._change_state(channel, change)

    async def hand_over(self, channel: str, agent: str) -> None:
        def change(view: ConversationView) -> None:
            view.state, view.assignee = ConversationState.ASSIGNED, agent
        await self._change_state(channel, change)

    async def postpone(self, channel: str) -> None:
        """Back to the queue; the customer is told, as Suppgram does."""
        def change(view: ConversationView) -> None:
            view.state, view.assignee = ConversationState.NEW, None
        await self._change_state(channel, change)
        self._queue(channel, Message(MessageKind.POSTPONED, self.clock()))

    async def resolve(self, channel: str) -> None:
        """Close the conversation and publish `resolved` to the customer."""
        def change(view: ConversationView) -> None:
            view.state = ConversationState.RESOLVED
        await self._change_state(channel, change)
        self._queue(channel, Message(MessageKind.RESOLVED, self.clock()))

    async def set_tags(self, channel: str, tags: list[str]) -> None:
        clean = sorted({t.strip().replace(",", " ") for t in tags if t.strip()})

        def change(view: ConversationView) -> None:
            view.tags = clean
        await self._change_state(channel, change)

    async def _change_state(self, channel: str,
                            change: Callable[[ConversationView], None]) -> None:
        """Apply `change` to the freshest shared state, written only if still current."""
        view = self._conversation(channel)
        if not self.features.app_context:
            change(view)  # degraded: this console only
            self._emit(ConversationChanged(channel))
            return
        custom, etag = await self.transport.ensure_conversation_state(channel)
        view.apply_shared_state(custom, etag)
        change(view)
        written = view.shared_state()
        try:
            new_etag = await self.transport.update_conversation_state(channel, written,
                                                                      etag or "")
        except ConflictError:
            custom, etag = await self.transport.conversation_state(channel)
            view.apply_shared_state(custom, etag)
            self._emit(ConversationChanged(channel))
            who = f"{view.assignee} has it now" if view.assignee else "it changed meanwhile"
            raise ClaimLost(f"Another agent got there first: {who}.") from None
        view.apply_shared_state(written, new_etag)  # a re-read answered meanwhile is older
        self._emit(ConversationChanged(channel))

    async def _write_state(self, view: ConversationView, *, quiet: bool) -> None:
        try:
            custom = view.shared_state()
            _, etag = await self.transport.ensure_conversation_state(view.channel)
            view.etag = await self.transport.update_conversation_state(view.channel, custom,
                                                                       etag or "")
        except (ConflictError, LinkRequestError) as error:
            if not quiet:
                self._emit(Notice(f"Could not update {view.channel}: {error}", "warning"))

    async def load_older(self, channel: str, count: int = 50) -> int:
        """Fetch the page of history before the oldest loaded message (scroll-up)."""
        view = self._conversation(channel)
        oldest = view.oldest_timetoken
        if oldest is None or not view.has_older:
            return 0
        older = await self.transport.older(channel, oldest, count)
        added = sum(1 for wire in older if self._ingest(wire, live=False) is not None)
        view.has_older = len(older) >= count
        self._emit(HistoryLoaded(channel, added))
        return added

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
