"""How a local server is configured: one dataclass, its defaults those of a PubNub keyset."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .clock import now_ticks

LOOPBACK = "127.0.0.1"
SUBSCRIBE_HOLD_SECONDS = 280.0


@dataclass
class ServerOptions:
    """How a local server behaves; the defaults match a PubNub keyset."""

    host: str = LOOPBACK
    """Interface to bind: loopback unless told otherwise (a development server)."""
    port: int = 0
    """TCP port; 0 picks a free one."""
    data_path: str | None = None
    """SQLite file that keeps history, groups and the clock across restarts; None = memory."""
    poll_timeout: float = SUBSCRIBE_HOLD_SECONDS
    """How long an idle subscribe poll is held open before an empty answer."""
    header_timeout: float = 10.0
    """Seconds a client has to send a request's line and headers once its first bytes
    arrive, and then its body; past that the connection is closed (a slowloris client).
    A long-poll is not affected: its hold starts once the request is in."""
    idle_timeout: float = 75.0
    """Seconds a connection may stay open with no request, fresh or between two (longer
    than the SDKs keep an idle connection: httpx 5 s), before the server closes it."""
    secret_key: str | None = None
    """Turns Access Manager on: requests need this key's signature or a granted token."""
    publish_key: str | None = None
    """The publish key signed requests use, for each subscribe key `keysets` does not
    name. A signature covers the publish key, but most requests carry only the
    subscribe key; publish and signal name theirs in the path, which is what counts
    there. Without either, the usual pairings are tried (`sub-c-x` → `pub-c-x`)."""
    keysets: Mapping[str, str] = field(default_factory=dict)
    """Subscribe key → its publish key, for a server that hosts several keysets."""
    get_all_metadata_open: bool = False
    """With a secret key, let any valid token list all App Context objects, as PubNub
    does until a keyset's "Disallow Get All Channel/User Metadata" options are on. Off
    here (the options on): listing needs `get` on the token's `channels`/`uuids`
    category, which keeps assignees and tags from customers (README: Access Manager)."""
    signature_skew: float = 60.0
    """Seconds a signed request's `timestamp` may differ from `wall_clock` (PubNub: 60)."""
    wall_clock: Callable[[], float] = time.time
    """Unix seconds for token issue/expiry and signature freshness; tests move it."""
    timetoken_source: Callable[[], int] = now_ticks
    """Where timetokens come from: the wall clock, or a scripted one for hermetic demos."""
    objects_events: bool = False
    """Deliver App Context change events to subscribers. Off by default, as on a new
    PubNub keyset: SDK 10.8's receive loop dies on them (reference §12.1)."""
    membership_integrity: bool = False
    """The keyset option "Enforce referential integrity for memberships": a membership
    needs metadata for its user and channel, and goes when either is deleted. Off here
    [?: PubNub's default not recorded], so memberships of channels without metadata (the
    Chat SDK's `PUBNUB_INTERNAL_MODERATION_…`) work and deletes leave them, as PubNub
    documents for a keyset without the option."""
    max_channels_per_group: int = 2000
    """Channels one group may hold (PubNub: 100 by default, up to 2,000)."""
    presence_min_timeout: float = 20.0
    """Shortest presence timeout honoured (PubNub: 20 s); tests lower it to stay fast."""
    presence_leave_on_drop: bool = False
    """Announce `leave` once a uuid's subscribe poll stops listing a channel; PubNub
    instead lets presence there time out (an SDK only sends leave with heartbeats on)."""
    disabled_features: frozenset[str] = frozenset()
    """Keyset add-ons switched off, to test how clients degrade: the `Feature.key` of
    their routes, "history", "app_context" or "presence" (each then answers 403, as
    PubNub does for a disabled add-on)."""
