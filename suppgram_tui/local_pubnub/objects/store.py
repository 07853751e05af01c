"""App Context objects at rest: their kinds, the store, ETags and the wire form.

SQLite is the durable copy, so `--data` keeps objects across restarts; a dict per
keyset and kind is the working copy. No HTTP here.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

SOURCE = "objects"  # `source` in App Context errors and events
OPTIONAL = ("type", "status", "custom")  # returned only when `include` names them

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
              "updated": iso_time(updated)}
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

    def _put(self, subkey: str, kind: Kind, stored: StoredObject) -> None:
        self.db.execute("INSERT OR REPLACE INTO app_context VALUES (?, ?, ?, ?, ?, ?)",
                        (subkey, kind.path, stored.id, json.dumps(stored.fields),
                         stored.updated, stored.etag))
        self.all(subkey, kind)[stored.id] = stored

    def delete(self, subkey: str, kind: Kind, object_id: str) -> None:
        self.db.execute("DELETE FROM app_context WHERE subkey = ? AND kind = ? AND id = ?",
                        (subkey, kind.path, object_id))
        self.all(subkey, kind).pop(object_id, None)

    def write(self, subkey: str, kind: Kind, object_id: str, fields: dict[str, Any],
              updated: int) -> StoredObject:
        """Store a new version of an object, with its new ETag."""
        stored = _stored(kind, object_id, fields, updated,
                         _etag(subkey, kind, object_id, updated, fields))
        self._put(subkey, kind, stored)
        return stored


# ETags -------------------------------------------------------------------------


def _id_tag(subkey: str, kind: Kind, object_id: str) -> str:
    return hashlib.sha256(f"{subkey}\0{kind.path}\0{object_id}".encode()).hexdigest()[:8]


def _etag(subkey: str, kind: Kind, object_id: str, updated: int, fields: dict[str, Any]) -> str:
    """8 hex of the object's identity + 12 of its version: a leaked If-Match is recognisable."""
    version = hashlib.sha256(f"{updated}\0{json.dumps(fields, sort_keys=True)}".encode())
    return _id_tag(subkey, kind, object_id) + version.hexdigest()[:12]


_OUR_ETAG = re.compile(r"^[0-9a-f]{20}$")


def issued_for_another(subkey: str, kind: Kind, object_id: str, etag: str) -> bool:
    """Whether `etag` is one this server issued for a different object."""
    return bool(_OUR_ETAG.match(etag)) and not etag.startswith(_id_tag(subkey, kind, object_id))


def same_fields(fields: dict[str, Any], other: dict[str, Any]) -> bool:
    """Equal as JSON: in Python `True == 1`, on the wire they differ."""
    return json.dumps(fields, sort_keys=True) == json.dumps(other, sort_keys=True)


# the wire form -----------------------------------------------------------------


def iso_time(timetoken: int) -> str:
    seconds, ticks = divmod(timetoken, 10_000_000)
    moment = datetime.fromtimestamp(seconds, timezone.utc).replace(microsecond=ticks // 10)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def render(kind: Kind, stored: StoredObject, include: set[str]) -> dict[str, Any]:
    """An object as get, set and list return it; `include` adds the optional fields."""
    data: dict[str, Any] = {"id": stored.id}
    for name in kind.profile:
        data[name] = stored.fields.get(name)
    for name in OPTIONAL:
        if name in include:
            data[name] = stored.fields.get(name)
    data["updated"] = stored.record["updated"]
    data["eTag"] = stored.etag
    return data
