"""App Context (objects v2): channel and uuid metadata with ETags, and their events.

The console keeps shared conversation state in channel metadata and claims a
conversation with a conditional write (If-Match), so ETags are the point here
(reference §10). Objects live in SQLite, so `--data` keeps them across restarts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import json_input
from .errors import invalid_data, json_response, nested_bad_param, nested_error
from .events import OBJECTS, Event
from .objects_filter import FilterError, compile_filter
from .request import flag, has_param, limit_param, need_on, no_needs, query_words, text_param
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

SOURCE = "objects"
MAX_LIMIT = 100
MAX_ID_LENGTH = 92
SORTABLE = ("id", "name", "updated", "status", "type")
OPTIONAL = ("type", "status", "custom")  # returned only when `include` names them
BAD_QUERY = nested_bad_param(SOURCE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS app_context (
    subkey TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    fields TEXT NOT NULL,
    updated INTEGER NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (subkey, kind, id)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Kind:
    """One App Context object type as the wire names it."""

    path: str  # path segment and Access Manager resource kind: "channels" | "uuids"
    event_type: str  # `type` in objects events: "channel" | "uuid"
    label: str  # how PubNub's 412 message names it
    profile: tuple[str, ...]  # string fields always returned

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.profile, "type", "status", "custom")


CHANNELS = Kind("channels", "channel", "Channel", ("name", "description"))
UUIDS = Kind("uuids", "uuid", "User", ("name", "externalId", "profileUrl", "email"))


@dataclass(frozen=True)
class StoredObject:
    id: str
    fields: dict[str, Any]
    updated: int  # timetoken of the last change
    etag: str
    record: dict[str, Any]  # what a filter or sort sees: every field, whatever `include` says


def _stored(kind: Kind, object_id: str, fields: dict[str, Any], updated: int,
            etag: str) -> StoredObject:
    record = {"id": object_id, **{name: fields.get(name) for name in kind.fields},
              "updated": _iso(updated)}
    return StoredObject(object_id, fields, updated, etag, record)


class ObjectStore:
    """SQLite is the durable copy; a dict per keyset and kind is the working copy.

    Every write goes through here, so the two agree, and a list of 10,000
    conversations filters in memory instead of decoding every row per page.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(SCHEMA)
        self._objects: dict[tuple[str, str], dict[str, StoredObject]] = {}

    def all(self, subkey: str, kind: Kind) -> dict[str, StoredObject]:
        objects = self._objects.get((subkey, kind.path))
        if objects is None:
            rows = self.db.execute(
                "SELECT id, fields, updated, etag FROM app_context WHERE subkey = ? AND kind = ?",
                (subkey, kind.path))
            objects = self._objects[(subkey, kind.path)] = {
                row[0]: _stored(kind, row[0], json.loads(row[1]), row[2], row[3])
                for row in rows}
        return objects

    def get(self, subkey: str, kind: Kind, object_id: str) -> StoredObject | None:
        return self.all(subkey, kind).get(object_id)

    def put(self, subkey: str, kind: Kind, stored: StoredObject) -> None:
        self.db.execute("INSERT OR REPLACE INTO app_context VALUES (?, ?, ?, ?, ?, ?)",
                        (subkey, kind.path, stored.id, json.dumps(stored.fields),
                         stored.updated, stored.etag))
        self.all(subkey, kind)[stored.id] = stored

    def delete(self, subkey: str, kind: Kind, object_id: str) -> None:
        self.db.execute("DELETE FROM app_context WHERE subkey = ? AND kind = ? AND id = ?",
                        (subkey, kind.path, object_id))
        self.all(subkey, kind).pop(object_id, None)


def register(server: LocalServer) -> None:
    store = ObjectStore(server.persistence.db)
    router = server.router
    for kind in (CHANNELS, UUIDS):
        one = f"/v2/objects/{{sub}}/{kind.path}/{{id}}"
        router.add("GET", one, _bound(get_object, store, kind),
                   needs=need_on(kind.path, "id", "get"))
        router.add("PATCH", one, _bound(set_object, store, kind),
                   needs=need_on(kind.path, "id", "update"))
        router.add("DELETE", one, _bound(remove_object, store, kind),
                   needs=need_on(kind.path, "id", "delete"))
        # Listing names no single resource: any valid token (or a signature) may list.
        router.add("GET", f"/v2/objects/{{sub}}/{kind.path}", _bound(list_objects, store, kind),
                   needs=no_needs)


def _bound(handler: Any, store: ObjectStore, kind: Kind) -> Any:
    async def handle(call: Call) -> web.StreamResponse:
        return await handler(call, store, kind)
    return handle


def _subkey(call: Call) -> str:
    return call.server.keyset(call.params["sub"]).subkey


def _id_tag(subkey: str, kind: Kind, object_id: str) -> str:
    return hashlib.sha256(f"{subkey}\0{kind.path}\0{object_id}".encode()).hexdigest()[:8]


def _etag(subkey: str, kind: Kind, object_id: str, updated: int, fields: dict[str, Any]) -> str:
    """8 hex of the object's identity + 12 of its version: a leaked If-Match is recognisable."""
    version = hashlib.sha256(f"{updated}\0{json.dumps(fields, sort_keys=True)}".encode())
    return _id_tag(subkey, kind, object_id) + version.hexdigest()[:12]


_OUR_ETAG = re.compile(r"^[0-9a-f]{20}$")


def _check_if_match(call: Call, kind: Kind, object_id: str, current: StoredObject | None,
                    verb: str) -> None:
    """412 when If-Match names an older version of this object.

    The SDK leaks the last If-Match onto every later App Context request (reference
    §12.1), so an ETag this server issued for *another* object is ignored, not refused.
    """
    wanted = call.request.headers.get("If-Match")
    if wanted is None:
        return
    wanted = wanted.strip().removeprefix("W/").strip('"')
    if wanted == "*" and current is not None:
        return
    if _OUR_ETAG.match(wanted) and not wanted.startswith(
            _id_tag(_subkey(call), kind, object_id)):
        return
    if current is None or current.etag != wanted:
        raise nested_error(412, f"{kind.label} to {verb} has been modified after it was read.",
                           SOURCE)


# rendering ---------------------------------------------------------------------


def _iso(timetoken: int) -> str:
    seconds, ticks = divmod(timetoken, 10_000_000)
    moment = datetime.fromtimestamp(seconds, timezone.utc).replace(microsecond=ticks // 10)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _includes(call: Call) -> set[str]:
    return set(query_words(call, "include"))


def _render(kind: Kind, stored: StoredObject, include: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": stored.id}
    for name in kind.profile:
        data[name] = stored.fields.get(name)
    for name in OPTIONAL:
        if name in include:
            data[name] = stored.fields.get(name)
    data["updated"] = stored.record["updated"]
    data["eTag"] = stored.etag
    return data


# handlers ----------------------------------------------------------------------


def _object_id(call: Call) -> str:
    object_id = call.params["id"]
    if not object_id or len(object_id) > MAX_ID_LENGTH:
        raise invalid_data(SOURCE, "id", f"must be 1 to {MAX_ID_LENGTH} characters", "path")
    return object_id


async def get_object(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """If-Match is ignored here: the SDK sends a leaked one on reads too."""
    stored = store.get(_subkey(call), kind, _object_id(call))
    if stored is None:
        raise nested_error(404, "Requested object was not found.", SOURCE)
    return json_response({"status": 200, "data": _render(kind, stored, _includes(call))},
                         content_type="application/json")


async def set_object(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Upsert: keys in the body overwrite (null clears), absent keys are kept (§10.2)."""
    object_id = _object_id(call)
    written = _written_fields(kind, await call.request.read())
    # No await from here on: read, check and write are one step, so racing
    # conditional writes cannot both pass the If-Match check.
    server = call.server
    subkey = _subkey(call)
    current = store.get(subkey, kind, object_id)
    _check_if_match(call, kind, object_id, current, "update")
    fields = {**(current.fields if current else {}), **written}
    if current is not None and _same(fields, current.fields):
        stored = current  # nothing changed: same ETag, no event
    else:
        updated = server.clock.next()
        stored = _stored(kind, object_id, fields, updated,
                         _etag(subkey, kind, object_id, updated, fields))
        store.put(subkey, kind, stored)
        _announce(call, kind, object_id, updated, "set", {
            "id": object_id, **written, "updated": stored.record["updated"],
            "eTag": stored.etag})
    return json_response({"status": 200, "data": _render(kind, stored, _includes(call))},
                         content_type="application/json")


async def remove_object(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Removing an unknown id is a 200 too, with no event."""
    object_id = _object_id(call)
    current = store.get(_subkey(call), kind, object_id)
    _check_if_match(call, kind, object_id, current, "delete")
    if current is not None:
        server = call.server
        store.delete(_subkey(call), kind, object_id)
        _announce(call, kind, object_id, server.clock.next(), "delete", {"id": object_id})
    return json_response({"status": 200, "data": None}, content_type="application/json")


def _same(fields: dict[str, Any], other: dict[str, Any]) -> bool:
    """Equal as JSON: in Python `True == 1`, on the wire they differ."""
    return json.dumps(fields, sort_keys=True) == json.dumps(other, sort_keys=True)


def _announce(call: Call, kind: Kind, object_id: str, timetoken: int, event: str,
              data: dict[str, Any]) -> None:
    """Deliver an `e:2` event on the channel named by the object's id (§10.5)."""
    server = call.server
    if not server.options.objects_events:
        return
    payload = {"source": SOURCE, "version": "2.0", "event": event, "type": kind.event_type,
               "data": data}
    server.keyset(call.params["sub"]).append(
        Event(timetoken, object_id, payload, event_type=OBJECTS))


def _written_fields(kind: Kind, body: bytes) -> dict[str, Any]:
    """The known keys of a set body, checked: strings or null, `custom` flat scalars."""
    try:
        document = json_input.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise nested_error(415, "Request body must be JSON.", SOURCE) from None
    if not isinstance(document, dict):
        raise invalid_data(SOURCE, "body", "must be a JSON object")
    written: dict[str, Any] = {}
    for name in kind.fields:
        if name not in document:
            continue
        value = document[name]
        if name == "custom":
            _check_custom(value)
        elif value is not None and not isinstance(value, str):
            raise invalid_data(SOURCE, name, "must be a string or null")
        written[name] = value
    return written


def _check_custom(custom: Any) -> None:
    if custom is None:
        return
    if not isinstance(custom, dict):
        raise invalid_data(SOURCE, "custom", "must be an object of scalar values or null")
    for key, value in custom.items():
        if value is None or not isinstance(value, (str, int, float, bool)):
            raise invalid_data(SOURCE, f"custom.{key}", "must be a scalar")


# listing -----------------------------------------------------------------------


async def list_objects(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Filter, sort, then page by offset; `next`/`prev` are unpadded base64 offsets."""
    include = _includes(call)
    limit = limit_param(call, "limit", BAD_QUERY, maximum=MAX_LIMIT)
    sort_keys = _sort_keys(call)
    objects = list(store.all(_subkey(call), kind).values())
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
    body: dict[str, Any] = {"status": 200, "data": [_render(kind, s, include) for s in page]}
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
