"""What the inbox tells its listeners (the UI, tests, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from suppgram_tui.model import ConnectionState

from .conversation import Entry


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    """State, assignee, tags, unread, presence or typing of a conversation changed."""

    channel: str


@dataclass(frozen=True, slots=True)
class ReadMarkerMoved:
    """The agent has read a conversation up to its newest message: its unread count is 0.

    Apart from `ConversationChanged` because it cannot move the conversation in any list.
    """

    channel: str


@dataclass(frozen=True, slots=True)
class CustomerReadMoved:
    """The customer's app (Chat SDK) says how far they have read: the transcript's
    "read by" line moves."""

    channel: str


@dataclass(frozen=True, slots=True)
class EntryAdded:
    channel: str
    entry: Entry
    new_conversation: bool = False
    """True for the first message of a conversation (new or reopened after resolve)."""
    reopened: bool = False
    """A new conversation on a channel with earlier messages (it was resolved)."""
    mine: bool = False
    """The conversation is assigned to this console's agent."""


@dataclass(frozen=True, slots=True)
class EntryUpdated:
    """One of my replies changed delivery state, or a message's actions (an edit, a
    delete, a reaction, its thread or the thread's replies) changed what it shows."""

    channel: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class HistoryLoaded:
    """Older messages were loaded into a conversation (scroll-up)."""

    channel: str
    count: int


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    state: ConnectionState
    detail: str
    pending_replies: int


Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something an agent should read, in words: a lost claim, a degraded feature."""

    text: str
    severity: Severity = "information"


InboxEvent = (ConversationChanged | ReadMarkerMoved | CustomerReadMoved | EntryAdded
              | EntryUpdated | HistoryLoaded | ConnectionStatus | Notice)


@dataclass(frozen=True, slots=True)
class InboxStatus:
    """What the status line shows: can the console be trusted right now, and how full."""

    connection: ConnectionState
    detail: str
    pending_replies: int
    notes: tuple[str, ...] = ()
    """Sentences about degraded keyset features."""
    channels_per_group: dict[str, int] = field(default_factory=dict)
    group_capacity: int = 100
    """Channels one group may hold (the link knows the keyset's limit)."""
