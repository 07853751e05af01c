"""Chat SDK threads: read, followed live and answered, never conversations of their own.

A thread's channel is in no channel group, so the console subscribes to each thread it
knows by name (`Transport.watch_channels`), the newest `MAX_WATCHED`. It learns of a
thread from the `threadRootId` action on a loaded message, live or from history (a
conversation's actions are read when it is opened). A reply is published on the thread's
channel as the Chat SDK's text message, so the customer's app shows it in the thread;
it is sent at once, not through the outbox: if PubNub refuses it, the agent keeps the
text and is told why.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from suppgram_tui.converters import ConverterLike, WireMessage, reply_publication
from suppgram_tui.link.errors import LinkRequestError, PublishRefused
from suppgram_tui.model import Message, MessageKind

from .conversation import Author, Conversation, Conversations, Delivery, Entry
from .events import ConversationChanged, EntryUpdated, InboxEvent
from .ingest import read
from .thread import THREAD_PREFIX, Thread, thread_channel, thread_parent
from .transport import Transport

log = logging.getLogger(__name__)

MAX_WATCHED = 200
"""Thread channels subscribed by name: a subscribe names each, and PubNub's URL has a
limit (~32 KB); the threads on the newest messages are the ones customers write in."""
HISTORY = 100
"""Replies read from a thread's history (PubNub's most for one channel)."""


class ThreadReplyFailed(Exception):
    """A reply in a thread did not go out; the message says why. Nothing was sent."""


class Threads:
    """Every thread this console knows, by its channel."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 converter: ConverterLike, agent_name: str,
                 classify: Callable[[WireMessage], tuple[Author, str | None]],
                 clock: Callable[[], datetime], emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 enabled: bool) -> None:
        self.conversations = conversations
        self.transport = transport
        self.converter = converter
        self.agent_name = agent_name
        self.enabled = enabled
        self._classify = classify
        self._clock = clock
        self._emit = emit
        self._spawn = spawn
        self.known: dict[str, Thread] = {}
        self._watched: tuple[str, ...] = ()

    def is_thread(self, channel: str) -> bool:
        """A Chat SDK thread channel: its messages are replies, never a conversation."""
        return self.enabled and (channel in self.known or channel.startswith(THREAD_PREFIX))

    def noticed(self, conversation: Conversation, entry: Entry) -> None:
        """`entry` has a thread (a `threadRootId` action): attach it, follow it live and
        read its replies once."""
        name = entry.actions.thread if entry.actions is not None else None
        if not self.enabled or name is None or entry.timetoken is None:
            return
        thread = self.known.get(name)
        if thread is None:
            thread = self.known[name] = Thread(name, conversation.channel, entry.timetoken)
            self._watch()
        if entry.thread is not thread:
            entry.thread = thread
            entry.revision += 1
        if not thread.read:
            thread.read = True
            self._spawn(self._read(thread))

    def start(self, conversation: Conversation, entry: Entry) -> Thread:
        """A thread the agent starts on `entry`: made (as the Chat SDK makes one) when
        its first reply goes out."""
        if entry.timetoken is None:
            raise ThreadReplyFailed("This message has not reached PubNub yet.")
        name = thread_channel(conversation.channel, entry.timetoken)
        thread = self.known.get(name)
        if thread is None:
            thread = self.known[name] = Thread(name, conversation.channel, entry.timetoken,
                                               read=True, created=False)
            self._watch()
        entry.thread = thread
        return thread

    def reconnected(self) -> None:
        """Replies written while the link was cut off never arrive live: the threads
        that have some are read again (counted first, 100 threads a request)."""
        if self._watched:
            self._spawn(self._catch_up())

    async def _catch_up(self) -> None:
        since = {name: max((reply.timetoken or 0 for reply in thread.replies),
                           default=thread.parent_timetoken)
                 for name in self._watched if (thread := self.known.get(name))}
        try:
            counts = await self.transport.unread_counts(since)
        except LinkRequestError as error:
            log.info("threads not caught up: %s", error)
            return
        for name, count in counts.items():
            if count and name in self.known:
                await self._read(self.known[name])

    def _watch(self) -> None:
        newest = sorted(self.known.values(), key=lambda t: t.parent_timetoken,
                        reverse=True)[:MAX_WATCHED]
        watched = tuple(sorted(thread.channel for thread in newest))
        if watched != self._watched:
            self._watched = watched
            self.transport.watch_channels(watched)

    async def _read(self, thread: Thread) -> None:
        try:
            wires = await self.transport.since(thread.channel, 0, HISTORY)
        except LinkRequestError as error:
            thread.read = False  # the next look tries again
            log.info("thread %s not read: %s", thread.channel, error)
            return
        thread.more = len(wires) >= HISTORY
        added = [wire for wire in wires if self._file(thread, wire) is not None]
        if added:
            self._updated(thread)

    def arrived(self, wire: WireMessage) -> None:
        """A live message on a thread's channel: a reply under its message."""
        thread = self.known.get(wire.channel)
        if thread is None:
            parent = thread_parent(wire.channel)
            if parent is None:
                log.info("a message on thread channel %r of no known message", wire.channel)
                return
            thread = self.known[wire.channel] = Thread(wire.channel, *parent)
        entry = self._file(thread, wire)
        if entry is None:
            return
        self._updated(thread)
        conversation = self.conversations.get(thread.parent_channel)
        if entry.author is Author.CUSTOMER and conversation is not None:
            conversation.unread += 1  # the agent should look: a list badge
            self._emit(ConversationChanged(conversation.channel))

    def _file(self, thread: Thread, wire: WireMessage) -> Entry | None:
        """The reply `wire` is, added to `thread`; None if it is no text or already there."""
        message, _, ignored = read(self.converter, wire)
        if message is None or ignored is not None:
            return None
        author, agent = self._classify(wire)
        meta = wire.user_metadata if isinstance(wire.user_metadata, dict) else None
        entry = Entry(channel=thread.channel, timetoken=wire.timetoken,
                      publisher=wire.publisher, payload=wire.message, author=author,
                      message=message, meta=meta, agent_name=agent,
                      delivery=Delivery.SENT if author is Author.ME else None)
        return entry if thread.add(entry) else None

    def _updated(self, thread: Thread) -> None:
        """The message the thread hangs on shows its new count (where it is loaded)."""
        conversation = self.conversations.get(thread.parent_channel)
        parent = conversation.entry_at(thread.parent_timetoken) if conversation else None
        if parent is None:
            return
        parent.thread = thread
        parent.revision += 1
        self._emit(EntryUpdated(thread.parent_channel, parent))

    async def reply(self, thread: Thread, text: str) -> Entry:
        """Answer in the thread as the support user; `ThreadReplyFailed` when it did not
        go out (nothing was sent)."""
        if not text.strip():
            raise ThreadReplyFailed("Write the reply first.")
        try:
            if not thread.created:
                await self.transport.create_thread(thread.parent_channel,
                                                   thread.parent_timetoken, thread.channel)
                thread.created = True
            out = reply_publication(
                self.converter, Message(MessageKind.FROM_AGENT, self._clock(), text),
                agent=self.agent_name, client_id=uuid.uuid4().hex)
            timetoken = await self.transport.publish(thread.channel, out.message, out.meta,
                                                     out.custom_message_type)
        except (LinkRequestError, PublishRefused, ValueError) as error:
            raise ThreadReplyFailed(f"Not sent to the thread: {error}") from error
        entry = Entry(channel=thread.channel, timetoken=timetoken,
                      publisher=self.transport.settings.user_id,
                      payload=out.message, author=Author.ME,
                      message=Message(MessageKind.FROM_AGENT, self._clock(), text),
                      meta=out.meta, agent_name=self.agent_name, delivery=Delivery.SENT)
        if thread.add(entry):  # else its echo came first
            self._updated(thread)
        return next(r for r in thread.replies if r.timetoken == timetoken)
