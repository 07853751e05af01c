"""App Context memberships at rest: which uuid belongs to which channel, with its own
custom, status and type (reference §10, PubNub's "membership metadata").

One record serves both directions, a uuid's memberships and a channel's members, so
SQLite keeps it once and the working copy indexes it both ways. No HTTP here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .store import iso_time

FIELDS = ("type", "status", "custom")
"""What a membership holds besides its two ids; returned only when `include` names them."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS app_context_memberships (
    subkey TEXT NOT NULL,
    channel TEXT NOT NULL,
    uuid TEXT NOT NULL,
    fields TEXT NOT NULL,
    updated INTEGER NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (subkey, channel, uuid)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Membership:
    channel: str
    uuid: str
    fields: dict[str, Any]  # the FIELDS it was given; an absent one reads as null
    updated: int  # timetoken of the last change
    etag: str

    @property
    def updated_iso(self) -> str:
        return iso_time(self.updated)


class _Index:
    """One keyset's memberships, by uuid and by channel (the same objects)."""

    def __init__(self) -> None:
        self.by_uuid: dict[str, dict[str, Membership]] = {}
        self.by_channel: dict[str, dict[str, Membership]] = {}

    def put(self, membership: Membership) -> None:
        self.by_uuid.setdefault(membership.uuid, {})[membership.channel] = membership
        self.by_channel.setdefault(membership.channel, {})[membership.uuid] = membership

    def pop(self, channel: str, uuid: str) -> None:
        for outer, inner, index in ((uuid, channel, self.by_uuid),
                                    (channel, uuid, self.by_channel)):
            found = index.get(outer)
            if found is not None:
                found.pop(inner, None)
                if not found:
                    del index[outer]


class MembershipStore:
    """SQLite is the durable copy; an index per keyset is the working copy."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(SCHEMA)
        self._keysets: dict[str, _Index] = {}

    def _index(self, subkey: str) -> _Index:
        index = self._keysets.get(subkey)
        if index is None:
            index = self._keysets[subkey] = _Index()
            rows = self.db.execute("SELECT channel, uuid, fields, updated, etag FROM "
                                   "app_context_memberships WHERE subkey = ?", (subkey,))
            for channel, uuid, fields, updated, etag in rows:
                index.put(Membership(channel, uuid, json.loads(fields), updated, etag))
        return index

    def of_uuid(self, subkey: str, uuid: str) -> list[Membership]:
        return list(self._index(subkey).by_uuid.get(uuid, {}).values())

    def of_channel(self, subkey: str, channel: str) -> list[Membership]:
        return list(self._index(subkey).by_channel.get(channel, {}).values())

    def get(self, subkey: str, channel: str, uuid: str) -> Membership | None:
        return self._index(subkey).by_uuid.get(uuid, {}).get(channel)

    def write(self, subkey: str, channel: str, uuid: str, fields: dict[str, Any],
              updated: int) -> Membership:
        """Store a new version of a membership, with its new ETag."""
        membership = Membership(channel, uuid, fields, updated,
                                _etag(channel, uuid, updated, fields))
        self.db.execute(
            "INSERT OR REPLACE INTO app_context_memberships VALUES (?, ?, ?, ?, ?, ?)",
            (subkey, channel, uuid, json.dumps(fields), updated, membership.etag))
        self._index(subkey).put(membership)
        return membership

    def delete(self, subkey: str, channel: str, uuid: str) -> None:
        self.db.execute("DELETE FROM app_context_memberships "
                        "WHERE subkey = ? AND channel = ? AND uuid = ?", (subkey, channel, uuid))
        self._index(subkey).pop(channel, uuid)


def _etag(channel: str, uuid: str, updated: int, fields: dict[str, Any]) -> str:
    """Opaque, like PubNub's 14-character membership ETags (`AZivm9nX0ojfKA`)."""
    digest = hashlib.sha256(
        f"{channel}\0{uuid}\0{updated}\0{json.dumps(fields, sort_keys=True)}".encode())
    return base64.b64encode(digest.digest()[:10]).decode().rstrip("=")
