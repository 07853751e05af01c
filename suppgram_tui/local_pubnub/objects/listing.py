"""App Context lists: filter, sort and page objects of one kind (and, through `paged`,
memberships and members)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aiohttp import web

from ..errors import json_response, nested_bad_param
from ..request import flag, has_param, limit_param, query_words, text_param
from ..routing import Call
from .filter import FilterError, Record, compile_filter
from .store import SOURCE, Kind, ObjectStore, render

MAX_LIMIT = 100
SORTABLE = ("id", "name", "updated", "status", "type")
BAD_QUERY = nested_bad_param(SOURCE)
T = TypeVar("T")


async def list_objects(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Filter, sort, then page by offset; `next`/`prev` are unpadded base64 offsets."""
    include = set(query_words(call, "include"))
    subkey = call.server.keyset(call.params["sub"]).subkey
    objects = list(store.all(subkey, kind).values())
    page, offset, total = paged(call, objects, lambda s: s.record,
                                {name: name for name in SORTABLE}, lambda s: s.id)
    body: dict[str, Any] = {"status": 200, "data": [render(kind, s, include) for s in page]}
    if flag(call, "count") or "totalCount" in include:
        body["totalCount"] = total
    return json_response(with_page_links(body, offset, len(page)),
                         content_type="application/json")


def paged(call: Call, items: list[T], record: Callable[[T], Record],
          sortable: Mapping[str, str], identity: Callable[[T], str]) -> tuple[list[T], int, int]:
    """`items` filtered (`filter`), sorted (`sort`, then `identity`) and cut to one page
    (`limit`, `start`/`end`): the page, its offset and how many matched.

    `sortable` maps each `sort` name a client may send to the record path it sorts on.
    """
    limit = limit_param(call, "limit", BAD_QUERY, maximum=MAX_LIMIT)
    sort_keys = _sort_keys(call, sortable)
    text = text_param(call, "filter")
    if text:
        try:
            predicate = compile_filter(text)
        except FilterError as error:
            raise BAD_QUERY("filter", str(error)) from None
        items = [item for item in items if predicate(record(item))]
    items = sorted(items, key=identity)
    for path, descending in reversed(sort_keys):
        items.sort(key=lambda item: _sort_value(_at_path(record(item), path)),
                   reverse=descending)
    if has_param(call, "start"):
        offset = _offset(call, "start")
        page = items[offset:offset + limit]
    elif has_param(call, "end"):
        stop = min(_offset(call, "end"), len(items))
        offset = max(0, stop - limit)
        page = items[offset:stop]
    else:
        offset, page = 0, items[:limit]
    return page, offset, len(items)


def with_page_links(body: dict[str, Any], offset: int, size: int) -> dict[str, Any]:
    """`next` after a page that holds anything (PubNub sends it even on the last one),
    `prev` unless the page is the first."""
    if size:
        body["next"] = _token(offset + size)
    if offset > 0:
        body["prev"] = _token(offset)
    return body


def _at_path(record: Record, path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _sort_keys(call: Call, sortable: Mapping[str, str]) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    for part in query_words(call, "sort"):
        field, _, direction = part.partition(":")
        if field not in sortable or direction not in ("", "asc", "desc"):
            raise BAD_QUERY("sort", f"cannot sort by {part!r}")
        keys.append((sortable[field], direction == "desc"))
    return keys


def _sort_value(value: Any) -> tuple[int, str]:
    """Nulls first, as in an ascending SQL sort."""
    return (0, "") if value is None else (1, str(value))


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(call: Call, name: str) -> int:
    raw = text_param(call, name) or ""
    try:
        offset = int(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BAD_QUERY(name, "is not a page token from this server") from None
    if offset < 0:
        raise BAD_QUERY(name, "is not a page token from this server")
    return offset
