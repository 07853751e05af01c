"""The headless core of the console: conversations, shared state, unread, outbox.

Importing it loads neither Textual nor the PubNub SDK (a test checks this).
"""

from suppgram_tui.store import StoreError  # what send_reply raises when it cannot store

from .actions import ActionFailed, ClaimLost, ConversationAction
from .conversation import Author, Conversation, ConversationFilter, Delivery, Entry
from .events import (
    ConnectionStatus,
    ConversationChanged,
    CustomerReadMoved,
    EntryAdded,
    EntryUpdated,
    HistoryLoaded,
    InboxEvent,
    InboxStatus,
    Notice,
    ReadMarkerMoved,
)
from .file_transfers import FileRefused, TransferFailed
from .inbox import Inbox
from .replies import ReplyRefused, ReplySize
from .thread import Thread
from .threads import ThreadReplyFailed

__all__ = [
    "ActionFailed", "Author", "ClaimLost", "ConnectionStatus", "Conversation",
    "ConversationAction", "ConversationChanged", "ConversationFilter", "CustomerReadMoved",
    "Delivery", "Entry", "EntryAdded", "EntryUpdated", "FileRefused", "HistoryLoaded",
    "Inbox", "InboxEvent", "InboxStatus", "Notice", "ReadMarkerMoved", "ReplyRefused",
    "ReplySize", "StoreError", "Thread", "ThreadReplyFailed", "TransferFailed",
]
