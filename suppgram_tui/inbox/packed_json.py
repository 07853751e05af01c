"""Objects kept as their JSON text, read back when asked for.

Decoded JSON costs a dict and a string for every value; its text is one string, often
half the size. For what is stored and seldom read (a message's payload and meta).
"""

from __future__ import annotations

import json
from typing import Any


def pack(value: Any) -> tuple[str | None, Any]:
    """(JSON text, None) for a dict or list that JSON carries whole; else (None, value)."""
    if type(value) is dict or type(value) is list:
        try:
            return json.dumps(value, ensure_ascii=False), None
        except (TypeError, ValueError):  # not JSON (bytes, say): kept as it is
            pass
    return None, value


def unpack(text: str | None, value: Any) -> Any:
    """What `pack` was given (a new copy each time: changing it changes nothing kept)."""
    return value if text is None else json.loads(text)


def raw_json(payload: Any) -> str:
    """A payload as the raw view shows it: its JSON, or its repr when it is none."""
    try:
        return json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(payload)
