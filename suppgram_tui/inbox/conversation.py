"""One line of a conversation as the console shows it, and the conversation around it.

Also the two words agents use about conversations: the list filters (new, mine, all,
resolved) and the actions (claim, hand over, postpone, resolve, tag).
"""

from __future__ import annotations

import json
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from enum import Enum
from itertools import count
from typing import Any

from suppgram_tui.model import Attachment, ConversationState, Message, MessageKind

from .message_actions import MessageActions
from .ratings import describe_rating
from .thread import Thread


class Author(str, Enum):
    CUSTOMER = "customer"
    ME = "me"
    AGENT = "agent"
    """Another agent publishing as the same support user (told apart by meta)."""
    SYSTEM = "system"
    """Resolved, postponed, rated: events rather than chat."""


class Delivery(str, Enum):
    """Where one of my replies is on its way to the customer."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


SYSTEM_KINDS = {MessageKind.RESOLVED, MessageKind.POSTPONED, MessageKind.RATED}
PENDING_SORT_KEY = 10**20  # unsent replies sort after everything PubNub has stamped
MAX_KEPT_ENTRIES = 1000
"""Messages kept in memory per conversation; older ones are re-read on scroll-up."""
MAX_SET_ASIDE = 50
"""Ignored messages kept per conversation for the raw view."""
_serials = count(1)


@dataclass(eq=False, slots=True)
class Entry:
    """A message in a conversation: decoded, or kept raw with the reason it is not."""

    channel: str
    timetoken: int | None
    publisher: str | None
    payload: Any
    author: Author
    message: Message | None = None
    error: str | None = None
    """Why the converter could not decode it; the raw payload is shown instead."""
    meta: dict[str, Any] | None = None
    agent_name: str | None = None
    client_id: str | None = None
    delivery: Delivery | None = None
    delivery_error: str | None = None
    ignored: str | None = None
    """Why this message is no chat message (the converter or --pubnub-ignore-publisher
    said so): kept aside, shown only in the raw view."""
    custom_message_type: str | None = None
    actions: MessageActions | None = None
    """Edits, deletes, reactions and threads (message actions) applied to it."""
    thread: Thread | None = None
    """Its Chat SDK thread's replies, once read (`threads.py`)."""
    attachments: tuple[Attachment, ...] = ()
    """Files that came with it (a file message's, the Chat SDK's, a Suppgram image).
    A tuple: most messages have none, and an empty tuple costs nothing (an empty list
    was 56 bytes a message)."""
    revision: int = 0
    """Counts changes to what it shows (an action applied): drawn again when it moves."""
    serial: int = field(default=0, repr=False)
    """Tells apart entries PubNub never stamped and that carry no client id (malformed);
    given when such a key is first asked for (an int for every message was 28 bytes)."""

    @property
    def key(self) -> tuple[str, int | str]:
        """Stable identity within the console: the timetoken, else my reply's client id."""
        if self.timetoken is not None:
            return self.channel, self.timetoken
        if self.client_id:
            return self.channel, self.client_id
        if not self.serial:
            self.serial = next(_serials)
        return self.channel, f"#{self.serial}"

    @property
    def sort_key(self) -> int:
        return self.timetoken if self.timetoken is not None else PENDING_SORT_KEY

    def __lt__(self, other: Entry) -> bool:
        return self.sort_key < other.sort_key

    @property
    def undecodable(self) -> bool:
        return self.message is None

    @property
    def text(self) -> str:
        """What to show as the message body: its text, or the raw JSON when undecodable."""
        if self.message is None:
            return raw_json(self.payload)
        if self.message.kind is MessageKind.RATED and self.author is Author.CUSTOMER:
            return describe_rating(self.message.text)
        if self.actions is not None and self.actions.edited is not None:
            return self.actions.edited
        if self.message.text or (self.message.text is not None and not self.attachments):
            return self.message.text
        return self.attachment_summary  # a file alone: the list and toasts name it

    @property
    def attachment_summary(self) -> str:
        """``📎 invoice.pdf``: what a file-only message says in a preview or a search."""
        return "  ".join(f"📎 {attachment.name}" for attachment in self.attachments)

    @property
    def raw(self) -> str:
        return raw_json(self.payload)

    @property
    def is_rating(self) -> bool:
        """A customer's rating closes the loop: nobody waits for an answer to it."""
        return self.message is not None and self.message.kind is MessageKind.RATED


def raw_json(payload: Any) -> str:
    try:
        return json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(payload)


@dataclass(eq=False)
class Conversation:
    """Everything the console knows about one customer channel."""

    channel: str
    group: str | None = None
    state: ConversationState = ConversationState.NEW
    assignee: str | None = None
    tags: list[str] = field(default_factory=list)
    etag: str | None = None
    entries: list[Entry] = field(default_factory=list)
    """In timetoken order (unstamped last), each timetoken once: found by bisection (a
    set of them beside cost ~2 KB a conversation, 20 MB at 10,000)."""
    unread: int = 0
    read_marker: int = 0
    customer_id: str | None = None
    customer_name: str | None = None
    """The customer's App Context user name, where set (read lazily, see profiles.py)."""
    customer_email: str | None = None
    customer_read: int = 0
    """How far the customer has read, as their Chat SDK app says (0: not known)."""
    customer_online: bool = False
    customer_typing: bool = False
    viewers: frozenset[str] = frozenset()
    """Other agents viewing it; replaced, not changed (one empty set for them all: a set
    each was 216 bytes a conversation)."""
    changed_by: str | None = None
    """The agent who last changed the shared state (App Context `by`)."""
    last_activity: int = 0
    last_customer_message: int = 0
    """When the customer last wrote: the list's order, so that a reply does not move the
    conversation from under the agent's cursor."""
    opened_at: int | None = None
    has_older: bool = True
    set_aside_entries: list[Entry] = field(default_factory=list)
    """Messages that are no chat messages, newest last: never unread, never activity."""

    @property
    def customer_label(self) -> str | None:
        """What to call the customer: their name where known, else their user id."""
        return self.customer_name or self.customer_id

    def set_aside(self, entry: Entry) -> None:
        """Keep an ignored message for the raw view, once, without touching the rest."""
        if any(kept.timetoken == entry.timetoken for kept in self.set_aside_entries):
            return
        insort(self.set_aside_entries, entry)
        del self.set_aside_entries[:-MAX_SET_ASIDE]

    def add(self, entry: Entry) -> bool:
        """Insert in timetoken order; False when this timetoken was already shown."""
        if entry.timetoken is not None:
            if self._index_of(entry.timetoken) is not None:
                return False
            self.last_activity = max(self.last_activity, entry.timetoken)
            if entry.author is Author.CUSTOMER:
                self.last_customer_message = max(self.last_customer_message, entry.timetoken)
        entries = self.entries
        if not entries or not entry < entries[-1]:  # a live message: newest, at the end
            entries.append(entry)
        else:
            insort(entries, entry)
        if len(self.entries) > MAX_KEPT_ENTRIES and entry is self.entries[-1]:
            self._forget_oldest(len(self.entries) - MAX_KEPT_ENTRIES)
        return True

    def _forget_oldest(self, count: int) -> None:
        """A console runs all day: keep the newest messages, older ones stay in history."""
        del self.entries[:count]
        self.has_older = True

    def entry_at(self, timetoken: int) -> Entry | None:
        """The loaded message PubNub stamped `timetoken`, if any."""
        at = self._index_of(timetoken)
        return None if at is None else self.entries[at]

    def _index_of(self, timetoken: int) -> int | None:
        entries = self.entries
        last = entries[-1].timetoken if entries else None
        if last is not None and timetoken > last:  # a live message: newer than all
            return None
        at = bisect_left(entries, timetoken, key=_sort_key)
        return at if at < len(entries) and entries[at].timetoken == timetoken else None

    def pending_reply(self, client_id: str) -> Entry | None:
        for entry in reversed(self.entries):
            if entry.client_id == client_id:
                return entry
        return None

    @property
    def last_entry(self) -> Entry | None:
        return self.entries[-1] if self.entries else None

    @property
    def oldest_timetoken(self) -> int | None:
        for entry in self.entries:
            if entry.timetoken is not None:
                return entry.timetoken
        return None

    @property
    def waiting_since(self) -> int | None:
        """Timetoken of the oldest customer message no agent has answered yet."""
        waiting = None
        for entry in self.entries:
            if entry.author is Author.CUSTOMER and not entry.is_rating:
                waiting = waiting or entry.timetoken
            elif entry.author in (Author.ME, Author.AGENT):
                waiting = None
        return waiting

    @property
    def unread_after(self) -> int | None:
        """The read marker, when unread messages came after it: where "new since you
        left" goes (None: nothing is unread, or nothing was ever read)."""
        return self.read_marker if self.read_marker and self.unread else None

    def shared_state(self) -> dict[str, Any]:
        """The App Context `custom` fields: flat scalars only, as PubNub requires."""
        return {"state": self.state.value, "assignee": self.assignee or "",
                "tags": ",".join(self.tags), "by": self.changed_by or ""}

    def apply_shared_state(self, custom: dict[str, Any], etag: str | None) -> None:
        try:
            self.state = ConversationState(custom.get("state") or "new")
        except ValueError:
            self.state = ConversationState.NEW
        self.assignee = str(custom.get("assignee") or "") or None
        tags = custom.get("tags")
        self.tags = [t for t in str(tags).split(",") if t] if tags else []
        self.changed_by = str(custom.get("by") or "") or None
        self.etag = etag


class Conversations(dict[str, Conversation]):
    """Every conversation the inbox knows, by channel."""

    def ensure(self, channel: str) -> Conversation:
        """The conversation on `channel`, added the first time the channel is seen."""
        conversation = self.get(channel)
        if conversation is None:
            conversation = self[channel] = Conversation(channel)
        return conversation


class ConversationFilter(str, Enum):
    """The sidebar's tabs: which conversations an agent wants in the list."""

    NEW = "new"
    """Unassigned and waiting."""
    MINE = "mine"
    """Assigned to this agent and not resolved."""
    ALL = "all"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def following(self) -> ConversationFilter:
        """The next tab, round again after the last."""
        tabs = list(ConversationFilter)
        return tabs[(tabs.index(self) + 1) % len(tabs)]

    def matches(self, conversation: Conversation, agent: str) -> bool:
        state = conversation.state
        if self is ConversationFilter.NEW:
            return state is ConversationState.NEW
        if self is ConversationFilter.MINE:
            return conversation.assignee == agent and state is not ConversationState.RESOLVED
        if self is ConversationFilter.RESOLVED:
            return state is ConversationState.RESOLVED
        return True


def _sort_key(entry: Entry) -> int:
    return entry.sort_key
