"""What App Context accepts in a request body: JSON objects, flat scalar `custom`."""

from __future__ import annotations

from typing import Any

from .. import json_input
from ..errors import invalid_data, nested_error
from .store import SOURCE


def json_body(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (empty = `{}`); 415 when it is not JSON at all."""
    try:
        document = json_input.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise nested_error(415, "Request body must be JSON.", SOURCE) from None
    if not isinstance(document, dict):
        raise invalid_data(SOURCE, "body", "must be a JSON object")
    return document


def check_custom(custom: Any, location: str = "custom") -> None:
    """`custom` is null or an object of strings, numbers and booleans (reference §10.4)."""
    if custom is None:
        return
    if not isinstance(custom, dict):
        raise invalid_data(SOURCE, location, "must be an object of scalar values or null")
    for key, value in custom.items():
        if value is None or not isinstance(value, (str, int, float, bool)):
            raise invalid_data(SOURCE, f"{location}.{key}", "must be a scalar")


def check_text(value: Any, location: str) -> None:
    if value is not None and not isinstance(value, str):
        raise invalid_data(SOURCE, location, "must be a string or null")
