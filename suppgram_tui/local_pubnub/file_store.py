"""Uploaded files, kept in the server's SQLite beside the messages (none of S3 here).

A file belongs to a channel of a keyset; its id is unique, its name the uploader's.
With `--data` files survive a restart like history does; in memory they last the run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    subkey TEXT NOT NULL,
    channel TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (subkey, id)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class StoredFile:
    channel: str
    id: str
    name: str
    content_type: str
    size: int
    created: str
    """ISO 8601 with milliseconds and Z, as PubNub lists it."""

    def listing(self) -> dict[str, object]:
        return {"name": self.name, "id": self.id, "size": self.size, "created": self.created}


class FileStore:
    """Files by keyset and id, in the connection the server's persistence opened."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.db.executescript(SCHEMA)

    def add(self, subkey: str, file: StoredFile, data: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (subkey, file.channel, file.id, file.name, file.content_type,
                         file.size, file.created, data))

    def find(self, subkey: str, channel: str, file_id: str,
             name: str) -> tuple[StoredFile, bytes] | None:
        row = self.db.execute(
            "SELECT channel, id, name, content_type, size, created, data FROM files "
            "WHERE subkey = ? AND channel = ? AND id = ? AND name = ?",
            (subkey, channel, file_id, name)).fetchone()
        return (StoredFile(*row[:6]), row[6]) if row else None

    def page(self, subkey: str, channel: str, *, after: str | None,
             limit: int) -> list[StoredFile]:
        """Oldest first; `after`: the (created, id) cursor of the previous page's last."""
        clauses, args = ["subkey = ?", "channel = ?"], [subkey, channel]
        if after is not None:
            created, _, file_id = after.partition("|")
            clauses.append("(created, id) > (?, ?)")
            args += [created, file_id]
        rows = self.db.execute(
            f"SELECT channel, id, name, content_type, size, created FROM files "
            f"WHERE {' AND '.join(clauses)} ORDER BY created, id LIMIT ?",
            (*args, limit)).fetchall()
        return [StoredFile(*row) for row in rows]

    def count(self, subkey: str, channel: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM files WHERE subkey = ? AND "
                                   "channel = ?", (subkey, channel)).fetchone()[0])

    def delete(self, subkey: str, channel: str, file_id: str, name: str) -> None:
        self.db.execute("DELETE FROM files WHERE subkey = ? AND channel = ? AND id = ? AND "
                        "name = ?", (subkey, channel, file_id, name))
