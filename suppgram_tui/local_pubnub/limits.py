"""PubNub's documented size limits, counted the way PubNub counts them.

Code tested against this server must hit the walls it will hit on PubNub:

- API limits (https://www.pubnub.com/docs/general/setup/limits): "User ID Length: 92
  characters", "Channel Name Length: 2,048 characters"; a message may be as long as the
  GET request allows, "including HTTP headers & URI encoding overhead (~32 KiB)". Reference
  §2.3: PubNub counts the escaped channel, the escaped message and ~100 bytes; the meta
  rides in the same URI (`meta=`), so it counts too. Over: 413 `Message Too Large`.
- App Context API limits (https://www.pubnub.com/docs/data-storage/metadata/api-limits):
  "One user, channel, or membership metadata record can hold up to 32 KiB, counting every
  field including custom." Its ids ("Channel ID Length", User ID) stay at 92 characters.
- Message actions (https://www.pubnub.com/docs/pub-sub/message-actions/add-message-actions):
  the request has the "same limit as Publish"; `type` and `value` have "no dedicated
  limit", they are "bounded only by the overall request size".
- Presence state has no limit of its own in the docs: it travels in the query of a GET
  (heartbeat, set state, subscribe), so the same ~32 KiB request bounds it [?].

The error bodies are each service's own; where PubNub's exact wording is not recorded
the message here is a choice [?].
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from .errors import PUBLISH_ERRORS

if TYPE_CHECKING:
    from .routing import Call, Route

MAX_UUID = 92
MAX_CHANNEL = 2048
MAX_PUBLISH_BYTES = 32 * 1024
PUBLISH_OVERHEAD = 100
MAX_OBJECT_BYTES = 32 * 1024
MAX_ACTION_BYTES = 32 * 1024
MAX_STATE_BYTES = 32 * 1024


def publish_size(channel: str, message: str, meta: str | None) -> int:
    """A publish as PubNub counts it: escaped channel, message and meta, plus ~100 bytes."""
    size = len(quote(channel, safe="")) + len(quote(message, safe="~")) + PUBLISH_OVERHEAD
    return size + (len(quote(meta, safe="~")) if meta else 0)


def json_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON, the form it is stored and sent in."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False)
               .encode("utf-8", "surrogatepass"))


def text_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def check_request(call: Call, route: Route) -> None:
    """The limits every route shares: the caller's `uuid` (query, or path for presence
    state and where-now) and the channel names in the path, answered in the route's
    service shape.

    Publish and signal check their channel themselves, after their size: PubNub counts
    the channel in the 32 KiB of a message, so a huge channel is `Message Too Large`.
    """
    bad = route.errors.bad_param
    for uuid in (call.query.get("uuid"), call.params.get("uuid")):
        if uuid is not None and len(uuid) > MAX_UUID:
            raise bad("uuid", f"must be at most {MAX_UUID} characters")
    if route.errors is PUBLISH_ERRORS:
        return
    for name in ("channel", "channels"):
        raw = call.raw_params.get(name)
        if raw is not None and len(raw) > MAX_CHANNEL and any(
                len(part) > MAX_CHANNEL and len(unquote(part)) > MAX_CHANNEL
                for part in raw.split(",")):
            raise bad(name, f"each channel name must be at most {MAX_CHANNEL} characters")
