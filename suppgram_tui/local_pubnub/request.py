"""Query parameters: the one place handlers read them, each type parsed one way.

Every service reads the query through these helpers (and path lists through
`path_names`). A helper that can refuse a value takes the service's `BadParam` from
`errors.py`, so the 400 has the shape that service's SDK expects. The rules, once:
numbers are ASCII digits only, and a number or JSON parameter sent empty is absent.
`Query` is the only object a query is read from: `Query.of` decodes it for handlers
and access checks, and `Query.raw` keeps it as sent for the signature check.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import unquote

from aiohttp import web
from multidict import MultiDict

from . import json_input
from .access.policy import Need
from .errors import BadParam

if TYPE_CHECKING:
    from .routing import Call, NeedsFn


class Query:
    """The decoded query of one request.

    Decoded as PubNub's SDKs encode it: percent-escapes only, and `+` is a plus (the
    Python SDK sends uuids and tokens unencoded, and both SDKs send a space as `%20`).
    So `uuid=x+y` is the uuid `x+y` for the access check and the handler alike.
    """

    def __init__(self, pairs: list[tuple[str, str]], raw: str) -> None:
        self._values = MultiDict(pairs)
        self._raw = raw

    @classmethod
    def of(cls, request: web.Request) -> Query:
        """Decode a request's query; of a repeated key, `get` sees the first value."""
        raw = request.rel_url.raw_query_string
        return cls(parse_query(raw), raw)

    @property
    def raw(self) -> str:
        """The query string as sent: what a request signature covers."""
        return self._raw

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def repeated(self) -> set[str]:
        """Names given more than once (`uuid=a&uuid=b`)."""
        return {name for name in self._values if len(self._values.getall(name)) > 1}


def parse_query(raw: str) -> list[tuple[str, str]]:
    """`k=v` pairs, percent-decoded (UTF-8), `+` kept; a bare `k` has the value ""."""
    pairs = []
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


# plain values -------------------------------------------------------------------


def text_param(call: Call, name: str) -> str | None:
    """The value as sent (maybe empty), or None when absent."""
    return call.query.get(name)


def has_param(call: Call, name: str) -> bool:
    return name in call.query


def flag(call: Call, name: str, default: bool = False) -> bool:
    """A boolean flag as the SDKs send them (`true`, `1`)."""
    value = call.query.get(name)
    if value is None:
        return default
    return value.lower() in ("true", "1")


def caller_uuid(call: Call) -> str:
    """The `uuid` the client says it is; empty when it sent none."""
    return call.query.get("uuid") or ""


def required_uuid(call: Call, bad: BadParam) -> str:
    uuid = caller_uuid(call)
    if not uuid:
        raise bad("uuid", "must be given")
    return uuid


# numbers ------------------------------------------------------------------------


MAX_TIMETOKEN = 10**18 - 1
"""Timetokens have 17 digits until the year 2286; SQLite's 64-bit integers hold any
18-digit one (plus one, for an exclusive bound). A longer one is an error, not a 500."""


def _digits(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


@overload
def int_param(call: Call, name: str, bad: BadParam) -> int | None: ...
@overload
def int_param(call: Call, name: str, bad: BadParam, *, default: int) -> int: ...
def int_param(call: Call, name: str, bad: BadParam, *,
              default: int | None = None) -> int | None:
    """A non-negative integer; `default` when absent or empty."""
    text = call.query.get(name)
    if not text:
        return default
    value = _digits(text)
    if value is None:
        raise bad(name, "must be a non-negative integer")
    return value


def limit_param(call: Call, name: str, bad: BadParam, *, maximum: int, minimum: int = 0) -> int:
    """A page size from `minimum` to `maximum`; `maximum` when absent or empty."""
    text = call.query.get(name)
    if not text:
        return maximum
    value = _digits(text)
    if value is None or not minimum <= value <= maximum:
        raise bad(name, f"must be an integer from {minimum} to {maximum}")
    return value


def timetoken(text: str, name: str, bad: BadParam) -> int:
    """One timetoken, from a query value or a path segment."""
    value = _digits(text)
    if value is None or value > MAX_TIMETOKEN:
        raise bad(name, "must be a timetoken")
    return value


def timetoken_param(call: Call, name: str, bad: BadParam) -> int | None:
    """A timetoken; None when absent or empty."""
    text = call.query.get(name)
    return timetoken(text, name, bad) if text else None


def timetoken_list_param(call: Call, name: str, bad: BadParam) -> list[int] | None:
    """A comma list of timetokens (an empty item is an error); None when absent."""
    text = call.query.get(name)
    if text is None:
        return None
    return [timetoken(item, name, bad) for item in text.split(",")]


def seconds_param(call: Call, name: str, bad: BadParam) -> float | None:
    """A positive, finite number of seconds; None when absent or empty."""
    text = call.query.get(name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise bad(name, "must be a positive number of seconds")
    return value


# structured values ---------------------------------------------------------------


def json_object_param(call: Call, name: str, bad: BadParam) -> dict[str, Any] | None:
    """A JSON object (parsed strictly, see json_input); None when absent or empty."""
    text = call.query.get(name)
    if not text:
        return None
    try:
        value = json_input.loads(text)
    except ValueError:
        raise bad(name, "must be JSON") from None
    if not isinstance(value, dict):
        raise bad(name, "must be a JSON object")
    return value


def query_names(call: Call, name: str) -> list[str]:
    """A comma list of names (`channel-group`, `add`), empty items dropped.

    Not decoded a second time: the JS SDK percent-encodes names once (a literal `%2F` in
    a name arrives as `%252F`), the Python SDK sends them raw or encoded once.
    """
    value = call.query.get(name)
    if not value:
        return []
    return [part for part in value.split(",") if part]


def query_words(call: Call, name: str) -> list[str]:
    """A comma list of keywords (`include`, `sort`), each stripped, empty items dropped."""
    return [word for part in (call.query.get(name) or "").split(",") if (word := part.strip())]


def path_names(call: Call, param: str) -> list[str]:
    """A comma list of percent-encoded names in a path segment (`,` alone = none)."""
    return [unquote(part) for part in call.raw_params[param].split(",") if part]


# what a route needs from a token --------------------------------------------------


def need_on(kind: str, param: str, permission: str) -> NeedsFn:
    """`permission` on the one resource named by path parameter `param`."""
    def needs(call: Call) -> list[Need]:
        return [Need(kind, call.params[param], permission)]
    return needs


def need_on_each(kind: str, param: str, permission: str) -> NeedsFn:
    """`permission` on each resource of the comma list in path parameter `param`."""
    def needs(call: Call) -> list[Need]:
        return [Need(kind, name, permission) for name in path_names(call, param)]
    return needs


def read_channels_and_groups(call: Call) -> list[Need]:
    """Read on the path's `channels` and on every `channel-group` (subscribe, presence)."""
    return ([Need("channels", name, "read") for name in path_names(call, "channels")]
            + [Need("groups", name, "read") for name in query_names(call, "channel-group")])


def no_needs(call: Call) -> list[Need]:
    """A route that names no resource: any valid token may call it."""
    return []
