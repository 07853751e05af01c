"""How big a publish is, counted as PubNub counts it; no SDK code, so the inbox can ask.

PubNub takes a message of up to ~32 KiB "including HTTP headers & URI encoding overhead"
(https://www.pubnub.com/docs/general/setup/limits): the escaped channel, the escaped
JSON of the message and of its meta (both ride in the publish URI), and ~100 bytes.
A bigger one is answered 413 and can never be sent, so the console refuses it first.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import quote

PUBLISH_LIMIT = 32 * 1024
"""Bytes PubNub accepts in one publish, as `publish_size` counts them."""
PUBLISH_OVERHEAD = 100
"""The rest of the request line PubNub counts (keys, path, query)."""


def publish_size(channel: str, payload: Any, meta: dict[str, Any] | None = None) -> int:
    """Bytes of this publish as PubNub counts them: the SDK writes JSON with
    `json.dumps` and escapes it with `quote(…, safe="~")`, as here."""
    size = len(quote(channel, safe="")) + len(_escaped(payload)) + PUBLISH_OVERHEAD
    return size + (len(_escaped(meta)) if meta else 0)


def _escaped(value: Any) -> str:
    return quote(json.dumps(value), safe="~")


def in_words(size: int) -> str:
    """"31.5 KB" (KiB, as PubNub means them), rounded up: a size over the limit never
    reads as the limit itself."""
    return f"{math.ceil(size * 10 / 1024) / 10:.1f} KB"
