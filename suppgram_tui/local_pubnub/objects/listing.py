"""App Context get-all: filter, sort and page the objects of one kind."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from ..errors import json_response, nested_bad_param
from ..request import flag, has_param, limit_param, query_words, text_param
from ..routing import Call
from .filter import FilterError, compile_filter
from .store import SOURCE, Kind, ObjectStore, render

MAX_LIMIT = 100
SORTABLE = ("id", "name", "updated", "status", "type")
BAD_QUERY = nested_bad_param(SOURCE)


async def list_objects(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Filter, sort, then page by offset; `next`/`prev` are unpadded base64 offsets."""
    include = set(query_words(call, "include"))
    limit = limit_param(call, "limit", BAD_QUERY, maximum=MAX_LIMIT)
    sort_keys = _sort_keys(call)
    subkey = call.server.keyset(call.params["sub"]).subkey
    objects = list(store.all(subkey, kind).values())
    text = text_param(call, "filter")
    if text:
        try:
            predicate = compile_filter(text)
        except FilterError as error:
            raise BAD_QUERY("filter", str(error)) from None
        objects = [stored for stored in objects if predicate(stored.record)]
    objects.sort(key=lambda stored: stored.id)
    for field, descending in reversed(sort_keys):
        objects.sort(key=lambda stored: _sort_value(stored.record.get(field)),
                     reverse=descending)
    if has_param(call, "start"):
        offset = _offset(call, "start")
        page = objects[offset:offset + limit]
    elif has_param(call, "end"):
        stop = min(_offset(call, "end"), len(objects))
        offset = max(0, stop - limit)
        page = objects[offset:stop]
    else:
        offset, page = 0, objects[:limit]
    body: dict[str, Any] = {"status": 200, "data": [render(kind, s, include) for s in page]}
    if flag(call, "count") or "totalCount" in include:
        body["totalCount"] = len(objects)
    if page:
        body["next"] = _token(offset + len(page))
    if offset > 0:
        body["prev"] = _token(offset)
    return json_response(body, content_type="application/json")


def _sort_keys(call: Call) -> list[tuple[str, bool]]:
    keys: list[tuple[str, bool]] = []
    for part in query_words(call, "sort"):
        field, _, direction = part.partition(":")
        if field not in SORTABLE or direction not in ("", "asc", "desc"):
            raise BAD_QUERY("sort", f"cannot sort by {part!r}")
        keys.append((field, direction == "desc"))
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
