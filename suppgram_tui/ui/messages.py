"""What the inbox bridge tells the screens, one small message per thing that happened.

Point to point (`bubble=False`): the bridge posts each to the screen showing the inbox.
Bursty ones merge with a queued one of their kind (`can_replace`), so a flood of
changes costs one redraw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message
from textual.notifications import SeverityLevel

from suppgram_tui.model import ConnectionState


@dataclass
class ConversationsChanged(Message, bubble=False):
    """These conversations changed: their rows are stale, and maybe the list's order."""

    channels: set[str] = field(default_factory=set)
    resort: bool = True
    """False when no change can move a row (a read marker): repaint, do not re-sort."""

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, ConversationsChanged):
            return False
        merged = self.channels | message.channels
        self.channels = message.channels = merged
        self.resort = message.resort = self.resort or message.resort
        return True


@dataclass
class TranscriptChanged(Message, bubble=False):
    """These conversations gained or changed messages (an open one is laid out again)."""

    channels: set[str] = field(default_factory=set)

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, TranscriptChanged):
            return False
        self.channels = message.channels = self.channels | message.channels
        return True


@dataclass
class ConnectionChanged(Message, bubble=False):
    """Connected, reconnecting or offline, and how many replies wait to be sent."""

    state: ConnectionState
    detail: str
    pending_replies: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ConnectionChanged)


@dataclass(frozen=True)
class Arrival:
    """One customer message worth a toast."""

    channel: str
    customer: str
    """Who wrote, as shown (one line, visible)."""
    text: str
    opening: str = ""
    """"new" or "reopened" when the message opened the conversation, else empty."""

    @property
    def line(self) -> str:
        what = {"new": "New conversation from ", "reopened": "Conversation reopened by "}
        return f"{what.get(self.opening, '')}{self.customer}: {self.text}"

    @property
    def short(self) -> str:
        return f"{self.customer}{f' ({self.opening})' if self.opening else ''}: {self.text}"


@dataclass
class CustomerWrote(Message, bubble=False):
    """Customers wrote that the agent should hear about: new conversations, or theirs."""

    arrivals: list[Arrival]
    """Each arrival that came together, oldest first."""


@dataclass
class NoticeRaised(Message, bubble=False):
    """The inbox has something to say in words: a degraded feature, a lost claim."""

    text: str
    severity: SeverityLevel = "information"
