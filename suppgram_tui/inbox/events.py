"""What the inbox tells its listeners (the UI, tests, benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass

from suppgram_tui.model import ConnectionState

from .entries import Entry


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    """State, assignee, tags, unread, presence or typing of a conversation changed."""

    channel: str


@dataclass(frozen=True, slots=True)
class EntryAdded:
    channel: str
    entry: Entry
    new_conversation: bool = False
    """True for the first message of a conversation (new or reopened after resolve)."""


@dataclass(frozen=True, slots=True)
class EntryUpdated:
    """One of my replies changed delivery state."""

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


@dataclass(frozen=True, slots=True)
class Notice:
    """Something an agent should read, in words: a lost claim, a degraded feature."""

    text: str
    severity: str = "information"  # information | warning | error


InboxEvent = (ConversationChanged | EntryAdded | EntryUpdated | HistoryLoaded
              | ConnectionStatus | Notice)
