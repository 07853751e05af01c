"""A conversation as the console knows it (its messages are `entry.py`'s).

Also the two words agents use about conversations: the list filters (new, mine, all,
resolved) and the actions (claim, hand over, postpone, resolve, tag).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from suppgram_tui.model import ConversationState, MessageKind

from .entry import PENDING_SORT_KEY, Author, Delivery, Entry
from .packed_json import raw_json

__all__ = ["PENDING_SORT_KEY", "Author", "Conversation", "ConversationFilter",
           "Conversations", "Delivery", "Entry", "raw_json"]

SYSTEM_KINDS = {MessageKind.RESOLVED, MessageKind.POSTPONED, MessageKind.RATED}
MAX_KEPT_ENTRIES = 1000
"""Messages kept in memory per conversation; older ones are re-read on scroll-up."""
KEPT_VERSIONS = 8
"""Superseded shared-state versions remembered per conversation (a late event is one
or two versions old)."""
MAX_SET_ASIDE = 50
"""Ignored messages kept per conversation for the raw view."""


@dataclass(eq=False, slots=True)
class Conversation:
    """Everything the console knows about one customer channel."""

    channel: str
    group: str | None = None
    state: ConversationState = ConversationState.NEW
    assignee: str | None = None
    tags: list[str] = field(default_factory=list)
    etag: str | None = None
    superseded: tuple[str, ...] = ()
    """The shared state's last versions before `etag`: an App Context event carrying one
    of them arrived after a newer read or write, and is old news."""
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
        self.move_to_version(etag)

    def move_to_version(self, etag: str | None, *, over: str | None = None) -> None:
        """The shared state is at `etag` now; the one before (and `over`, the version a
        write replaced, if this console had not seen it) is superseded."""
        for old in (self.etag, over):
            if old is not None and old != etag and old not in self.superseded:
                self.superseded = (*self.superseded[-(KEPT_VERSIONS - 1):], old)
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
