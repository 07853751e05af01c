"""A message in a conversation, as the console keeps it.

The console holds every message it loads: 50,000 at startup across 10,000
conversations (`inbox.py` BACKFILL_BUDGET), more as they come. Payloads and metas are
kept as their JSON text (`packed_json.py`): a Suppgram payload as a dict with its own
time string was ~265 bytes, its text ~155; only the raw view, F6 and a converter reload
read them back.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from enum import Enum
from itertools import count
from typing import TYPE_CHECKING, Any

from suppgram_tui.model import Attachment, Message, MessageKind

from .message_actions import MessageActions
from .packed_json import pack, raw_json, unpack
from .ratings import describe_rating
from .thread import Thread

PENDING_SORT_KEY = 10**20  # unsent replies sort after everything PubNub has stamped
_serials = count(1)


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


@dataclass(eq=False, slots=True)
class Entry:
    """A message in a conversation: decoded, or kept raw with the reason it is not."""

    channel: str
    timetoken: int | None
    publisher: str | None
    if TYPE_CHECKING:  # what type checkers see: the properties set after the class
        payload: Any
    else:
        payload: InitVar[Any]
    """The message as PubNub carries it (kept packed: the `payload` property below)."""
    author: Author
    message: Message | None = None
    error: str | None = None
    """Why the converter could not decode it; the raw payload is shown instead."""
    if TYPE_CHECKING:
        meta: dict[str, Any] | None = None
    else:
        meta: InitVar[dict[str, Any] | None] = None
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
    _payload_json: str | None = field(default=None, init=False, repr=False)
    _payload: Any = field(default=None, init=False, repr=False)
    _meta_json: str | None = field(default=None, init=False, repr=False)
    _meta: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def __post_init__(  # type: ignore[override]  # the InitVars type checkers see as fields
            self, payload: Any, meta: dict[str, Any] | None) -> None:
        self._payload_json, self._payload = pack(payload)
        self._meta_json, self._meta = pack(meta)

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
            return self.raw
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
        """The payload's JSON, as the raw view shows it."""
        return self._payload_json if self._payload_json is not None else raw_json(self._payload)

    @property
    def is_rating(self) -> bool:
        """A customer's rating closes the loop: nobody waits for an answer to it."""
        return self.message is not None and self.message.kind is MessageKind.RATED


def _get_payload(entry: Entry) -> Any:
    return unpack(entry._payload_json, entry._payload)


def _set_payload(entry: Entry, payload: Any) -> None:
    entry._payload_json, entry._payload = pack(payload)


def _get_meta(entry: Entry) -> dict[str, Any] | None:
    return unpack(entry._meta_json, entry._meta)


def _set_meta(entry: Entry, meta: dict[str, Any] | None) -> None:
    entry._meta_json, entry._meta = pack(meta)


# After the dataclass is made: its __init__ takes payload and meta, kept packed.
Entry.payload = property(_get_payload, _set_payload)  # type: ignore[misc]
Entry.meta = property(_get_meta, _set_meta)  # type: ignore[misc, assignment]
