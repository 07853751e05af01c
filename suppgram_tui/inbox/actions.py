"""What an agent does to a conversation, agreed with the other consoles through App Context.

Each change is applied to the freshest shared state and written only if nobody changed
it meanwhile (ETags); losing that race is `ClaimLost`, in words that name the winner.
Without App Context on the keyset, changes stay in this console.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine
from datetime import datetime
from enum import Enum
from typing import Any

from suppgram_tui.converters import ConverterFailed
from suppgram_tui.link.errors import ConflictError, LinkRequestError, is_transient
from suppgram_tui.link.events import ChannelStateChanged, ChannelStateHint
from suppgram_tui.model import ConversationState, Message, MessageKind
from suppgram_tui.store import OutboxEntry
from suppgram_tui.text import identifier

from .conversation import Conversation, Conversations
from .events import ConversationChanged, InboxEvent, Notice
from .transport import Transport

log = logging.getLogger(__name__)

REREAD_INTERVAL = 0.25
"""Seconds between re-reads of one conversation's state while hints keep coming."""


CONFLICT_RETRIES = 2
"""Times a change is decided again on fresher state when another write came between its
read and its write: two consoles writing a reopen at once made a third's claim fail as
"another agent got there first" with nobody holding the conversation."""


class ConversationAction(Enum):
    """The changes an agent makes to a conversation, with the words for them."""

    CLAIM = ("claim", "Claimed")
    HAND_OVER = ("hand over", "Handed over")
    """Takes the agent to hand it to."""
    POSTPONE = ("postpone", "Postponed")
    RESOLVE = ("resolve", "Resolved")
    SET_TAGS = ("set tags", "Tags saved")
    """Takes the list of tags."""

    def __init__(self, verb: str, done: str) -> None:
        self.verb = verb
        """What the agent asked for: "Could not {verb}"."""
        self.done = done
        """What happened, for the toast once it has."""


class ActionFailed(Exception):
    """The change did not reach PubNub; the message says what and why."""

    transient = False
    """No answer or a 5xx: trying again later may work (a 4xx will not)."""


class ClaimLost(ActionFailed):
    """Another agent changed the conversation first; the message names who has it."""


class Actions:
    """Claim, hand over, postpone, resolve and tag, over ETags."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 agent_name: str, clock: Callable[[], datetime],
                 prepare: Callable[[str, Message], OutboxEntry],
                 queue: Callable[[OutboxEntry, Message], object],
                 emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]) -> None:
        self.conversations = conversations
        self.transport = transport
        self._rereading: set[str] = set()
        self._reread_again: set[str] = set()
        self.agent_name = agent_name
        self.clock = clock
        self._prepare = prepare
        """Encodes a notice to the customer (resolved, postponed); `ConverterFailed`."""
        self._queue = queue
        """Publishes a prepared notice to the customer through the outbox."""
        self._emit = emit
        self._spawn = spawn
        self._busy: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        """One change at a time per conversation: this console never races itself (a
        reply's claim and a Ctrl+G, say)."""

    async def apply(self, action: ConversationAction, channel: str, *args: Any) -> None:
        """Do `action`; raises ClaimLost if someone was first, ActionFailed if PubNub failed."""
        try:
            match action:
                case ConversationAction.CLAIM:
                    await self.claim(channel)
                case ConversationAction.HAND_OVER:
                    await self.hand_over(channel, *args)
                case ConversationAction.POSTPONE:
                    await self.postpone(channel)
                case ConversationAction.RESOLVE:
                    await self.resolve(channel)
                case ConversationAction.SET_TAGS:
                    await self.set_tags(channel, *args)
                case _:  # typing.assert_never is Python 3.11+, and we support 3.10
                    raise ValueError(f"unknown conversation action {action!r}")
        except ConverterFailed as broken:
            log.warning("%s on %s: the converter failed: %s", action.verb, channel, broken)
            raise ActionFailed(
                f"Could not {action.verb}: the converter cannot encode the customer's "
                f"notice: {str(broken).rstrip('.')}. Nothing changed and the customer was "
                "not told; fix the converter and reload it (Ctrl+L), then try again."
            ) from None
        except LinkRequestError as error:
            log.warning("%s on %s failed: %s", action.verb, channel, error)
            failed = ActionFailed(f"Could not {action.verb}: {error}")
            failed.transient = is_transient(error.status_code)
            raise failed from error
        log.info("%s on %s by %s", action.verb, channel, self.agent_name)

    async def claim(self, channel: str) -> None:
        """Assign to me; raises ClaimLost if another agent got there first."""
        def change(conversation: Conversation) -> None:
            if conversation.assignee not in (None, self.agent_name) and \
                    conversation.state is ConversationState.ASSIGNED:
                raise ClaimLost(f"{conversation.assignee} already has this conversation.")
            conversation.state = ConversationState.ASSIGNED
            conversation.assignee = self.agent_name
        await self._change_state(channel, change)

    async def hand_over(self, channel: str, agent: str) -> None:
        def change(conversation: Conversation) -> None:
            conversation.state, conversation.assignee = ConversationState.ASSIGNED, agent
        await self._change_state(channel, change)

    async def postpone(self, channel: str) -> None:
        """Back to the queue; the customer is told, as Suppgram does. The notice is
        encoded first: a converter that cannot changes nothing."""
        def change(conversation: Conversation) -> None:
            conversation.state, conversation.assignee = ConversationState.NEW, None
        await self._tell_customer(channel, MessageKind.POSTPONED, change)

    async def resolve(self, channel: str) -> None:
        """Close the conversation and publish `resolved` to the customer (encoded first)."""
        def change(conversation: Conversation) -> None:
            conversation.state = ConversationState.RESOLVED
        await self._tell_customer(channel, MessageKind.RESOLVED, change)

    async def _tell_customer(self, channel: str, kind: MessageKind,
                             change: Callable[[Conversation], None]) -> None:
        """Encode the notice, then change the state, then queue the notice."""
        message = Message(kind, self.clock())
        notice = self._prepare(channel, message)  # ConverterFailed: nothing changed
        await self._change_state(channel, change)
        self._queue(notice, message)

    async def set_tags(self, channel: str, tags: list[str]) -> None:
        clean = sorted({t.strip().replace(",", " ") for t in tags if t.strip()})

        def change(conversation: Conversation) -> None:
            conversation.tags = clean
        await self._change_state(channel, change)

    async def _change_state(self, channel: str,
                            change: Callable[[Conversation], None]) -> None:
        """Apply `change` to the freshest shared state, written only if still current."""
        async with self._busy[channel]:
            await self._change_locked(channel, change)

    async def _change_locked(self, channel: str,
                             change: Callable[[Conversation], None]) -> None:
        conversation = self.conversations.ensure(channel)
        if not self.transport.features.app_context:
            change(conversation)  # degraded: this console only
            self._emit(ConversationChanged(channel))
            return
        for attempt in range(1 + CONFLICT_RETRIES):
            custom, etag = await self.transport.ensure_conversation_state(channel)
            self._take(conversation, custom, etag)
            try:
                change(conversation)  # a claim: ClaimLost if another agent has it
            except ClaimLost:
                if not attempt:
                    raise
                self._emit(ConversationChanged(channel))
                raise ClaimLost("Another agent got there first: "
                                f"{conversation.assignee} has it now.") from None
            conversation.changed_by = self.agent_name
            written = conversation.shared_state()
            try:
                new_etag = await self.transport.update_conversation_state(
                    channel, written, etag or "")
            except ConflictError:
                continue  # written meanwhile (another console reopening it, say): decide again
            conversation.apply_shared_state(written, new_etag)  # a re-read meanwhile is older
            self._emit(ConversationChanged(channel))
            return
        self._emit(ConversationChanged(channel))
        raise ClaimLost("Another agent got there first: it keeps changing meanwhile.")

    async def write_state(self, conversation: Conversation) -> None:
        """Write this console's view of the conversation (a customer reopened it); if that
        fails, the next console to change it writes it anyway."""
        try:
            custom = conversation.shared_state()
            _, etag = await self.transport.ensure_conversation_state(conversation.channel)
            conversation.move_to_version(await self.transport.update_conversation_state(
                conversation.channel, custom, etag or ""), over=etag)
        except (ConflictError, LinkRequestError) as error:
            log.info("could not write state of %s: %s", conversation.channel, error)

    # what the other consoles did ------------------------------------------------------

    def state_changed(self, event: ChannelStateChanged) -> None:
        conversation = self.conversations.get(event.channel)
        if conversation is None:
            return
        if event.etag is not None and event.etag in conversation.superseded:
            # App Context events come on the subscribe loop, reads and writes on their own
            # requests: a resolve's event landing after the reopen it led to must not undo it
            log.info("ignored an older state of %s (%s)", event.channel, event.etag)
            return
        if event.removed:
            conversation.apply_shared_state({}, None)
        elif event.custom is not None:
            self._take(conversation, event.custom, event.etag)
        self._emit(ConversationChanged(event.channel))

    def _take(self, conversation: Conversation, custom: dict[str, Any],
              etag: str | None) -> None:
        """Adopt the shared state; an agent who handed this conversation to me is heard."""
        had = conversation.assignee
        conversation.apply_shared_state(custom, etag)
        by = conversation.changed_by
        if conversation.assignee == self.agent_name != had and by not in (
                None, self.agent_name) and conversation.state is ConversationState.ASSIGNED:
            who = identifier(conversation.customer_id or conversation.channel, 40)
            self._emit(Notice(f"{identifier(by, 40)} handed the conversation with {who} "
                              "over to you.", "warning"))

    def state_hint(self, event: ChannelStateHint) -> None:
        """Someone wrote the state; re-read it unless this console has that version."""
        conversation = self.conversations.get(event.channel)
        if conversation is not None and conversation.etag != event.etag:
            self.reread(conversation)

    def reread(self, conversation: Conversation) -> None:
        """Read the conversation's shared state again, in the background.

        The first hint reads at once; hints within `REREAD_INTERVAL` of a read make one
        more read after it, so a flood of hints costs a few reads, not one each.
        """
        if not self.transport.features.app_context:
            return
        channel = conversation.channel
        if channel in self._rereading:
            self._reread_again.add(channel)
            return
        self._rereading.add(channel)
        self._spawn(self._reread_state(conversation))

    async def _reread_state(self, conversation: Conversation) -> None:
        channel = conversation.channel
        try:
            while True:
                self._reread_again.discard(channel)
                try:
                    custom, etag = await self.transport.conversation_state(channel)
                except LinkRequestError as error:
                    log.info("could not re-read state of %s: %s", channel, error)
                    return
                self._take(conversation, custom, etag)
                self._emit(ConversationChanged(channel))
                await asyncio.sleep(REREAD_INTERVAL)  # hints meanwhile make one more read
                if channel not in self._reread_again:
                    return
        finally:
            self._rereading.discard(channel)
