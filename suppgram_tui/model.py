"""Plain records of the support domain, shared by every layer.

Names and enum values follow Suppgram's ``suppgram.entities`` so that converters written
for Suppgram keep working and a Suppgram user recognises the data. Nothing here imports
Textual or PubNub, and nothing here has behaviour beyond validating its own fields: the
inbox owns what happens to a conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum


class MessageKind(str, Enum):
    """What a message means in a conversation; the values are Suppgram's wire strings."""

    FROM_CUSTOMER = "from_customer"
    FROM_AGENT = "from_agent"
    POSTPONED = "postponed"
    """The agent put the conversation back in the queue."""
    RESOLVED = "resolved"
    """The agent closed the conversation; customers are told so."""
    RATED = "rated"
    """The customer rated the conversation (not in Suppgram's enum; Suppgram records it
    as an event, we carry it as a message so the customer's app can send it)."""


class MessageMediaKind(str, Enum):
    """What a message carries, as Suppgram's analytics name it."""

    NONE = "none"
    TEXT = "text"
    IMAGE = "image"


class ConnectionState(str, Enum):
    """How the console's link to PubNub is doing, as the status line shows it."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


class ConversationState(str, Enum):
    """Where a conversation is in its life; shared by all agents through App Context."""

    NEW = "new"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message: a PubNub File Sharing file (the SDK's
    ``send_file``, the Chat SDK's ``files``), or a Suppgram image carried in the message.

    Every field is outside text except ``size`` and ``data``: shown as data, never markup,
    and never used as a path without `safe_file_name`.
    """

    name: str
    mime: str | None = None
    """The MIME type the sender named, or the one the name suggests; None if neither."""
    size: int | None = None
    """Bytes, when known (File Sharing's file message does not say: it is looked up)."""
    file_id: str | None = None
    """File Sharing's id; None for an attachment carried in the message itself."""
    url: str | None = None
    """Where the sender said it can be downloaded (the Chat SDK's ``url``)."""
    data: bytes | None = None
    """The bytes themselves, when the message carried them (a Suppgram image)."""

    @property
    def is_image(self) -> bool:
        return (self.mime or "").startswith("image/")


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation, as a converter decoded it.

    ``time_utc`` must be timezone-aware; it is normalised to UTC so that comparisons and
    Suppgram's ``%z`` formatting never meet a naive or non-UTC datetime. ``image_mime``
    names the type of ``image`` (e.g. ``image/png``); Suppgram has no such field, it
    only ever sent text over PubNub.
    """

    kind: MessageKind
    time_utc: datetime
    text: str | None = None
    image: bytes | None = None
    image_mime: str | None = None
    attachments: tuple[Attachment, ...] = ()
    """Files sent with the message (the Chat SDK's ``files``); a Suppgram ``image`` is
    not repeated here."""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, MessageKind):
            object.__setattr__(self, "kind", MessageKind(self.kind))
        if not isinstance(self.time_utc, datetime):
            raise TypeError(f"time_utc must be a datetime, not {type(self.time_utc).__name__}")
        if self.time_utc.utcoffset() is None:
            raise ValueError("time_utc must be timezone-aware (it has no UTC offset)")
        if self.time_utc.tzinfo is not timezone.utc:
            object.__setattr__(self, "time_utc", self.time_utc.astimezone(timezone.utc))

    @property
    def media_kind(self) -> MessageMediaKind:
        """Text wins over image, exactly as in Suppgram."""
        if self.text is not None:
            return MessageMediaKind.TEXT
        if self.image is not None:
            return MessageMediaKind.IMAGE
        return MessageMediaKind.NONE
