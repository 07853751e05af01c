"""What the link reports, as plain records the inbox understands (no SDK types)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suppgram_tui.converters import WireMessage
from suppgram_tui.model import ConnectionState

STATE_PREFIX = "suppgram-state."
"""Shared state lives on `suppgram-state.<channel>`: never a conversation of its own.
Not on the customer's channel: customers never see assignees or tags, and their SDKs
never receive App Context events (which stop SDK 10.8's receive loop, reference §12.1).
Consoles watch `suppgram-state.*`."""

@dataclass(frozen=True, slots=True)
class SignalReceived:
    channel: str
    publisher: str | None
    payload: Any
    timetoken: int


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    channel: str
    uuid: str | None
    action: str
    occupancy: int
    state: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ChannelStateChanged:
    """App Context channel metadata changed (or was removed) on the server."""

    channel: str
    custom: dict[str, Any] | None
    etag: str | None
    removed: bool = False


@dataclass(frozen=True, slots=True)
class ChannelStateHint:
    """Another console says the channel's state changed; its eTag is now `etag`.

    Sent as a signal because App Context events are off on most keysets (and stop SDK
    10.8's receive loop where they are on); the receiver re-reads the state.
    """

    channel: str
    etag: str
    publisher: str | None = None
    """Who sent the hint: only the support user's consoles may (anyone with the keys can)."""


@dataclass(frozen=True, slots=True)
class AgentViewing:
    """Another console opened (or left) a conversation."""

    channel: str
    agent: str
    viewing: bool
    publisher: str | None = None
    """Who sent it: only the support user's consoles speak for agents."""


@dataclass(frozen=True, slots=True)
class MessageActionChanged:
    """Someone added (or removed) a message action: an edit, a delete, a reaction, a
    thread, in the Chat SDK's words (`type` "edited", "deleted", "reactions",
    "threadRootId")."""

    channel: str
    message_timetoken: int
    type: str
    value: str
    publisher: str | None
    action_timetoken: int
    removed: bool = False


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    """A user's App Context membership of a channel was set (or removed): the Chat SDK
    keeps each member's read position in its custom `lastReadMessageTimetoken`."""

    channel: str
    uuid: str
    last_read: int | None
    """Its custom's `lastReadMessageTimetoken` (None: not there)."""
    custom_sent: bool = True
    """False when the event left the custom out: read the membership to know."""
    removed: bool = False


@dataclass(frozen=True, slots=True)
class MalformedEnvelope:
    """A subscribe envelope the link could not read; kept so nothing vanishes silently."""

    channel: str | None
    raw: Any
    reason: str


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    state: ConnectionState
    detail: str = ""
    resumed_from: int | None = None
    """On a reconnect: the cursor the link resumed from (history catch-up starts there)."""


@dataclass(frozen=True, slots=True)
class GroupsChecked:
    """The watched channel groups were listed; `empty` hold no channel at all."""

    empty: tuple[str, ...]


PUBNUB_GROUP_CAPACITY = 100
LOCAL_GROUP_CAPACITY = 2000


@dataclass(frozen=True, slots=True)
class Features:
    """What the keyset answered when probed at start; absent features degrade."""

    history: bool = True
    app_context: bool = True
    presence: bool = True
    group_capacity: int = PUBNUB_GROUP_CAPACITY
    """Channels one channel group may hold. PubNub has no request that reports it: this is
    its default limit, or the local server's (2,000)."""
    notes: tuple[str, ...] = ()
    """Sentences for the status line about what is degraded and why."""


LinkEvent = (WireMessage | SignalReceived | PresenceChanged | ChannelStateChanged
             | ChannelStateHint | AgentViewing | MessageActionChanged | MembershipChanged
             | MalformedEnvelope
             | ConnectionChanged | GroupsChecked)
