"""One Chat SDK thread: a message's replies, kept on a channel of their own.

The Chat SDK names a thread's channel ``PUBNUB_INTERNAL_THREAD_{channel}_{timetoken}``
after the message it hangs on, and marks that message with a ``threadRootId`` action
whose value is the thread's channel.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conversation import Entry

THREAD_PREFIX = "PUBNUB_INTERNAL_THREAD_"


def thread_channel(channel: str, timetoken: int) -> str:
    """The Chat SDK's name for the thread on the message `channel` stamped `timetoken`."""
    return f"{THREAD_PREFIX}{channel}_{timetoken}"


def thread_parent(thread: str) -> tuple[str, int] | None:
    """(channel, timetoken) of the message a thread channel hangs on, from its name."""
    if not thread.startswith(THREAD_PREFIX):
        return None
    channel, _, timetoken = thread[len(THREAD_PREFIX):].rpartition("_")
    return (channel, int(timetoken)) if channel and timetoken.isdigit() else None


@dataclass(eq=False)
class Thread:
    """The replies to one message, oldest first, as read from history and live."""

    channel: str
    parent_channel: str
    parent_timetoken: int
    replies: list[Entry] = field(default_factory=list)
    read: bool = False
    """Its history was read (or is being read): its replies are all here."""
    more: bool = False
    """History held more replies than were read: the count is a lower bound."""
    created: bool = True
    """False for a thread this agent is starting: its first reply makes it."""

    def add(self, entry: Entry) -> bool:
        """Insert in timetoken order; False when this reply is already here."""
        if any(reply.timetoken == entry.timetoken for reply in self.replies):
            return False
        insort(self.replies, entry)
        return True

    @property
    def count_label(self) -> str:
        """`1 reply`, `3 replies`, `100+ replies`; empty before any is known."""
        count = len(self.replies)
        if not count:
            return ""
        return f"{count}{'+' if self.more else ''} repl{'y' if count == 1 else 'ies'}"
