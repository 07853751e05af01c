"""One string for the words that every message repeats.

Decoding JSON makes a new string for every value: each Suppgram message held its own
"from_customer" (62 bytes), each Chat SDK message its own "text". Interned, the 50,000
messages a console may hold at startup share one of each (bench/scale.py).
"""

from __future__ import annotations

import sys
from typing import Any

SHARED_UP_TO = 24
"""Characters: kinds, types and states are short; times and texts are mostly not."""


def with_shared_words(payload: Any) -> Any:
    """`payload`, its short string values replaced by the one interned copy (in place:
    equal strings, so the payload means the same)."""
    if type(payload) is dict:
        for key, value in payload.items():
            if type(value) is str and len(value) <= SHARED_UP_TO:
                payload[key] = sys.intern(value)
    return payload
