"""The console's brain: conversations, their shared state, unread counts and replies.

No Textual and no PubNub here: PubNub is reached through a `Transport`, and listeners
(the UI, tests) receive `InboxEvent`s. Everything runs on one asyncio loop. The work is
done by collaborators this façade builds and alone knows: `Ingest` (messages into
conversations), `Startup` (what happened before), `Actions` (claims and the rest over
App Context), `Replies` (the outbox) and `Awareness` (presence, typing, viewing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from suppgram_tui.converters import ConverterLike, WireMessage, configure_converter
from suppgram_tui.converters.chat_sdk import speaks_chat_sdk
from suppgram_tui.link.events import (
    STATE_PREFIX,
    AgentViewing,
    ChannelStateChanged,
    ChannelStateHint,
    ConnectionChanged,
    GroupsChecked,
    LinkEvent,
    MalformedEnvelope,
    MembershipChanged,
    MessageActionChanged,
    PresenceChanged,
    SignalReceived,
)
from suppgram_tui.model import Attachment, ConnectionState
from suppgram_tui.store import AgentStore
from suppgram_tui.text import identifier, one_line
from suppgram_tui.timetokens import now_utc
from suppgram_tui.waiting import bounded

from .actions import Actions, ConversationAction
from .agents import seen_agents
from .applied_actions import PAGE
from .awareness import Awareness
from .background import Background
from .chat_sdk_side import ChatSdkSide
from .conversation import Author, Conversations, Entry
from .events import (
    ConnectionStatus,
    ConversationChanged,
    HistoryLoaded,
    InboxEvent,
    InboxStatus,
    Notice,
    ReadMarkerMoved,
)
from .file_transfers import FileTransfers
from .group_fill import GroupFill
from .ingest import Ingest
from .replies import Replies, ReplySize
from .startup import Startup
from .thread import Thread
from .transport import TransportFactory

log = logging.getLogger(__name__)


def is_state_channel(channel: str | None) -> bool:
    return channel is not None and channel.startswith(STATE_PREFIX)


class Inbox:
    """All conversations of the watched channel groups, as one agent sees them."""

    converter_role = "the console"
    """Who runs the converter, in a reload's report."""

    def __init__(self, transport_factory: TransportFactory, *, converter: ConverterLike,
                 store: AgentStore, agent_name: str, support_user: str,
                 clock: Callable[[], datetime] = now_utc, announce: bool = True,
                 ignored_publishers: Iterable[str] = ()) -> None:
        """`announce`: send typing and "viewing" signals to the other consoles;
        `ignored_publishers`: user ids that are no customers (bots), set aside."""
        configure_converter(converter, support_user=support_user)
        chat_sdk = speaks_chat_sdk(converter)
        self.chat_sdk = chat_sdk
        """Customers are on PubNub's Chat SDK (the converter's `chat_sdk` says so): its
        typing signal, history with message actions, names and read receipts."""
        self._transport = transport_factory(self._on_link_event)
        self._store = store
        self._support_user = support_user
        self.agent_name = agent_name
        self.conversations = Conversations()
        self.connection = ConnectionState.CONNECTING
        self.connection_detail = ""
        self._listeners: list[Callable[[InboxEvent], None]] = []
        self._background = Background()
        self._groups = GroupFill(self.conversations, self._transport.settings.channel_groups)
        spawn = self._background.spawn
        self._awareness = Awareness(self.conversations, self._transport, agent_name=agent_name,
                                    support_user=support_user, emit=self._emit, spawn=spawn,
                                    announce=announce, chat_sdk=chat_sdk)
        self._replies = Replies(self.conversations, store, self._transport,
                                converter=converter, agent_name=agent_name,
                                support_user=support_user, clock=clock, emit=self._emit,
                                claim=self._claim_for_reply,
                                connected=lambda: self.connection is ConnectionState.CONNECTED,
                                on_delivered=self._report)
        self._actions = Actions(self.conversations, self._transport, agent_name=agent_name,
                                clock=clock, prepare=self._replies.prepare,
                                queue=self._replies.queue, emit=self._emit,
                                spawn=spawn)
        self._ingest = Ingest(self.conversations, self._transport, converter=converter,
                              awareness=self._awareness, agent_name=agent_name,
                              support_user=support_user, emit=self._emit,
                              on_reopen=lambda c: spawn(self._actions.write_state(c)),
                              on_stale=self._actions.reread,
                              ignored_publishers=ignored_publishers)
        self._files = FileTransfers(self.conversations, self._transport, converter=converter,
                                    agent_name=agent_name, clock=clock,
                                    claim=self._claim_for_reply, emit=self._emit)
        self._chat_sdk = ChatSdkSide(self.conversations, self._transport, enabled=chat_sdk,
                                     converter=converter, agent_name=agent_name,
                                     classify=self._ingest.classify, clock=clock,
                                     emit=self._emit, spawn=spawn,
                                     add=lambda wire: self._ingest.add(wire, live=False))
        self._startup = Startup(self.conversations, self._transport, store,
                                ingest=self._ingest, awareness=self._awareness)

    @property
    def converter(self) -> ConverterLike:
        """The converter messages are read and replies written with."""
        return self._ingest.converter

    def use_converter(self, converter: ConverterLike) -> int:
        """Read and write with `converter` from now on (Ctrl+L reloaded it); messages
        the last one could not read are read again: how many now are. Whether customers
        are on the Chat SDK was settled at start and stays."""
        configure_converter(converter, support_user=self._support_user)
        self._replies.use_converter(converter)
        return self._ingest.use_converter(converter)

    def listen(self, listener: Callable[[InboxEvent], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: InboxEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("inbox listener failed on %r", event)

    # start and stop -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, then load channels, shared state, recent history and unread counts."""
        await self._transport.start()
        for note in self._transport.features.notes:
            self._emit(Notice(note, "warning"))
        await self._startup.load()
        for channel, why in self._transport.unreadable.items():
            self._emit(Notice(f"Conversation {identifier(channel)} cannot be read and is "
                              f"skipped ({one_line(why, 120)}).", "warning"))
        self._replies.restore()
        self._replies.outbox.start()
        self._awareness.start()
        self._chat_sdk.profiles.at_start()
        for channel in self.conversations:
            self._emit(ConversationChanged(channel))

    async def stop(self) -> None:
        """Each step bounded: quitting must never hang on one that does (a CI run hung
        here, in a step not yet found; the warning names it)."""
        self._chat_sdk.receipts.stop()
        await bounded("saying I left", self._awareness.stop())
        await bounded("stopping the outbox", self._replies.outbox.stop())
        await bounded("cancelling background work", self._background.cancel())
        await bounded("closing the connection", self._transport.stop())
        await bounded("saving the store", self._store.save(), 15)

    # what the agent does --------------------------------------------------------------

    def show(self, channel: str) -> str:
        """The agent is looking at a conversation, not yet chosen (a preview: nothing is
        read); it is where the next start comes back to. Its draft."""
        self._store.set_shown_conversation(channel)
        conversation = self.conversations.get(channel)
        if conversation is not None:
            self._chat_sdk.profiles.want(conversation)
            self._background.spawn(self._files.look_up_sizes(channel))
        return self._store.draft(channel)

    def open(self, channel: str) -> str:
        """The agent opened a conversation: it is read, others see me there; its draft."""
        self.mark_read(channel)
        self._awareness.opened(channel)
        self._chat_sdk.opened(channel)
        return self.show(channel)

    def last_shown(self) -> str | None:
        """The conversation on screen when this agent's console last ran."""
        return self._store.shown_conversation()

    def mark_read(self, channel: str) -> None:
        conversation = self.conversations.ensure(channel)
        if conversation.last_activity > conversation.read_marker or conversation.unread:
            conversation.read_marker = max(conversation.read_marker,
                                           conversation.last_activity)
            conversation.unread = 0
            self._store.set_read_marker(channel, conversation.read_marker)
            self._emit(ReadMarkerMoved(channel))
            self._chat_sdk.receipts.read(channel, conversation.read_marker)

    def save_draft(self, channel: str, text: str) -> None:
        self._store.set_draft(channel, text)

    def typing(self, channel: str) -> None:
        """The agent is writing in `channel`: the customer may be told (throttled)."""
        self._awareness.typing(channel)

    def agents(self) -> list[str]:
        """Other agents this console has seen (viewing now first): hand-over targets."""
        return seen_agents(self.conversations.values(), me=self.agent_name)

    async def save_attachment(self, channel: str, attachment: Attachment,
                              directory: Path) -> Path:
        """Download `attachment` into a new file in `directory` (never replacing one);
        its path. Raises `TransferFailed` in words."""
        return await self._files.save(channel, attachment, directory)

    async def attachment_bytes(self, channel: str, attachment: Attachment) -> bytes:
        """What the attachment holds, downloaded if need be (to show an image)."""
        return await self._files.fetch(channel, attachment)

    def attachments(self, channel: str) -> list[Attachment]:
        """The conversation's attachments (of the messages kept), newest first."""
        conversation = self.conversations.get(channel)
        return [attachment for entry in reversed(conversation.entries if conversation else [])
                for attachment in reversed(entry.attachments)]

    async def send_file(self, channel: str, path: str) -> int:
        """Send the file at `path` (``~`` expanded) on `channel` with PubNub File Sharing,
        claiming a conversation nobody has, as a reply does. Nothing is sent when it
        raises `FileRefused` (missing, a folder, over 5 MB), `ClaimLost`, `TransferFailed`."""
        timetoken = await self._files.send(channel, path)
        self._awareness.stopped_typing(channel)
        return timetoken

    def canned_replies(self) -> dict[str, str]:
        return self._store.canned_replies()

    def save_canned_reply(self, name: str, text: str) -> None:
        self._store.set_canned_reply(name, text)

    async def apply(self, action: ConversationAction, channel: str, *args: Any) -> None:
        """Claim, hand over, postpone, resolve or tag; raises ClaimLost or ActionFailed."""
        await self._actions.apply(action, channel, *args)

    async def send_reply(self, channel: str, text: str) -> Entry:
        """Queue a reply: stored before it is published, delivered exactly once. Answering
        a conversation nobody has taken claims it first. Nothing is sent when it raises
        `ClaimLost` (another agent has it), `ReplyRefused` (too large) or `StoreError`."""
        try:
            return await self._replies.send(channel, text)
        finally:  # sent or refused, the agent stopped typing: never leave "typing" up
            self._awareness.stopped_typing(channel)

    def reply_size(self, channel: str, text: str) -> ReplySize:
        """How big `text` is as a reply in `channel`, counted as PubNub counts it."""
        return self._replies.size(channel, text)

    def thread(self, entry: Entry) -> Thread | None:
        """The Chat SDK thread on `entry`, its replies read and followed live."""
        return entry.thread if self.chat_sdk else None

    def start_thread(self, entry: Entry) -> Thread:
        """A new Chat SDK thread on a customer's message, made when its first reply goes
        out; raises `ThreadReplyFailed` for a message PubNub has not stamped yet."""
        return self._chat_sdk.threads.start(self.conversations.ensure(entry.channel), entry)

    async def reply_in_thread(self, thread: Thread, text: str) -> Entry:
        """Answer in a Chat SDK thread (the customer's app shows it there), claiming
        the conversation first as a reply does; raises `ClaimLost` (another agent has
        it) or `ThreadReplyFailed`, in words, when it did not go out."""
        if text.strip():
            await self._replies.claim_if_free(thread.parent_channel)
        return await self._chat_sdk.threads.reply(thread, text)

    def draft(self, channel: str) -> str:
        return self._store.draft(channel)

    def undelivered(self) -> dict[str, int]:
        """Replies that have not reached PubNub yet (sending or failed), by channel."""
        counts: dict[str, int] = {}
        for pending in self._replies.outbox.pending:
            counts[pending.channel] = counts.get(pending.channel, 0) + 1
        return counts

    def retry_failed(self, channel: str) -> int:
        """Send the conversation's failed replies again; how many there were."""
        return self._replies.retry_failed(channel)

    async def load_older(self, channel: str, count: int = 50) -> int:
        """Fetch the page of history before the oldest loaded message (scroll-up)."""
        conversation = self.conversations.ensure(channel)
        oldest = conversation.oldest_timetoken
        if oldest is None or not conversation.has_older:
            return 0
        if self.chat_sdk:  # edits, deletes and reactions come with each page
            count = min(count, PAGE)
            older, actions = await self._transport.with_actions(channel, count, before=oldest)
        else:
            older, actions = await self._transport.older(channel, oldest, count), {}
        added = sum(1 for wire in older if self._ingest.add(wire, live=False) is not None)
        self._chat_sdk.actions.from_history(conversation, actions)
        conversation.has_older = len(older) >= count
        self._emit(HistoryLoaded(channel, added))
        return added

    def status(self) -> InboxStatus:
        features = self._transport.features
        return InboxStatus(self.connection, self.connection_detail, self._replies.pending,
                           (*self._groups.notes(), *features.notes),
                           self._groups.counts(), features.group_capacity)

    async def _claim_for_reply(self, channel: str) -> None:
        """Answering takes the conversation; raises `ClaimLost` or `ActionFailed`."""
        await self._actions.apply(ConversationAction.CLAIM, channel)
        self._emit(Notice(f"{ConversationAction.CLAIM.done}: {channel}"))

    # what PubNub tells ----------------------------------------------------------------

    def _on_link_event(self, event: LinkEvent) -> None:
        match event:
            case WireMessage() | MalformedEnvelope() if is_state_channel(event.channel):
                # anyone with the keys can write there; it is never a conversation
                log.info("ignored a message on state channel %r", event.channel)
            case WireMessage() if self._chat_sdk.threads.is_thread(event.channel):
                self._chat_sdk.threads.arrived(event)  # a reply in a thread
            case SignalReceived() | MessageActionChanged() | MalformedEnvelope() \
                    if event.channel and self._chat_sdk.threads.is_thread(event.channel):
                log.debug("ignored %s on thread channel %r", type(event).__name__,
                          event.channel)
            case WireMessage():
                entry = self._ingest.add(event, live=True)
                if entry is not None and any(a.size is None and a.file_id
                                             for a in entry.attachments):
                    self._background.spawn(self._files.look_up_sizes(event.channel))
                if entry is not None and entry.author is Author.CUSTOMER:
                    self._chat_sdk.profiles.want(self.conversations[event.channel])
                if self._groups.heard_from(event.subscription):
                    self._report()
            case ChannelStateChanged():
                self._actions.state_changed(event)
            case ChannelStateHint() | AgentViewing() if event.publisher != self._support_user:
                log.info("ignored a state signal on %r from %r", event.channel, event.publisher)
            case ChannelStateHint():
                self._actions.state_hint(event)
            case AgentViewing():
                self._awareness.agent_viewing(event)
            case PresenceChanged():
                self._awareness.presence(event)
            case SignalReceived() if self._ingest.not_a_customer(event.publisher):
                log.debug("ignored a signal on %r from %r", event.channel, event.publisher)
            case SignalReceived():
                self._awareness.signal(event)
                self._chat_sdk.reads.signal(event)
            case MembershipChanged():
                self._chat_sdk.reads.membership(event)
            case MessageActionChanged():
                self._chat_sdk.actions.changed(event)
            case MalformedEnvelope():
                self._ingest.malformed(event)
            case ConnectionChanged():
                self._apply_connection(event)
            case GroupsChecked():
                self._groups.checked(event.empty)
                self._report()

    def _apply_connection(self, event: ConnectionChanged) -> None:
        self.connection, self.connection_detail = event.state, event.detail
        self._report()
        if event.state is ConnectionState.CONNECTED:
            self._replies.outbox.kick()
            if event.resumed_from:
                self._background.spawn(self._startup.catch_up(event.resumed_from))
                self._chat_sdk.reconnected(self._awareness.open_channel)

    def _report(self) -> None:
        self._emit(ConnectionStatus(self.connection, self.connection_detail,
                                    self._replies.pending))
