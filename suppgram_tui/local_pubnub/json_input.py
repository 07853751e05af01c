"""JSON that clients send, parsed strictly: what is stored must go out again as JSON.

Python's parser accepts `NaN` and `Infinity`, turns `1e400` into infinity, and raises
RecursionError (not ValueError) on deep nesting. Stored, the first two would reach
every subscriber as text that is not JSON (PubNub's SDKs crash on it, reference §0.3);
the last would be a 500 with a traceback. Here all of them are a ValueError.
"""

from __future__ import annotations

import json
import math
from typing import Any


def loads(text: str | bytes) -> Any:
    """`json.loads` that raises ValueError on anything without a strict JSON form."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value
