"""The headless core of the console: conversations, shared state, unread, outbox.

Importing it loads neither Textual nor the PubNub SDK (a test checks this).
"""

from .entries import Author, ConversationView, Delivery, Entry
from .events import (
    ConnectionStatus,
    ConversationChanged,
    EntryAdded,
    EntryUpdated,
    HistoryLoaded,
    InboxEvent,
    Notice,
)
from .inbox import ClaimLost, Inbox

__all__ = [
    "Author", "ClaimLost", "ConnectionStatus", "ConversationChanged", "ConversationView",
    "Delivery", "Entry", "EntryAdded", "EntryUpdated", "HistoryLoaded", "Inbox", "InboxEvent",
    "Notice",
]
