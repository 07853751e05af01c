"""SQLite storage: history, channel groups and the clock survive a restart with `--data`.

Without a path the same schema lives in memory, so there is one code path. Writes are
autocommitted in WAL mode with `synchronous=NORMAL`: durable across a process kill,
cheap enough for a publish burst.

A file that cannot be used is a `StoreError` that says why in a sentence. A new store is
made whole beside its path (tables and WAL mode) and linked into place, so a store this
server made is never empty, even if it is killed while making it: an empty file at the
path was made or truncated by something else, and is refused rather than silently
taken as a new store (which would hide lost history).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    subkey TEXT NOT NULL,
    channel TEXT NOT NULL,
    timetoken INTEGER NOT NULL,
    publisher TEXT,
    payload TEXT NOT NULL,
    meta TEXT,
    custom_type TEXT,
    message_type INTEGER,
    PRIMARY KEY (subkey, channel, timetoken)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_channels (
    subkey TEXT NOT NULL,
    grp TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (subkey, grp, channel)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clock (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
"""


@dataclass(slots=True)
class StoredMessage:
    channel: str
    timetoken: int
    publisher: str | None
    payload: Any
    meta: Any
    custom_type: str | None
    message_type: int | None


class StoreError(Exception):
    """The `--data` file cannot be used; the message says why and what to do."""


class Persistence:
    """The server's durable state, one SQLite connection for the whole server."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        if path is None:
            self.db = _connect(":memory:")
            self.db.executescript(SCHEMA)
            return
        if not os.path.exists(path):
            _create(path)
        elif os.path.isfile(path) and os.path.getsize(path) == 0 and not _has_wal(path):
            raise StoreError(
                f"{path} is empty (0 bytes). This server never leaves a store empty, so "
                "something else created or truncated it: if it held history, restore it "
                "from a backup; if it is meant to be new, delete it and start again.")
        try:
            self.db = _connect(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(_unusable(path, error)) from None

    def close(self, last_timetoken: int) -> None:
        try:
            self.save_clock(last_timetoken)
        finally:
            self.db.close()

    # clock -----------------------------------------------------------------

    def load_clock(self) -> int:
        """The highest timetoken this server ever issued or stored."""
        row = self.db.execute("SELECT last FROM clock WHERE id = 1").fetchone()
        stored = row[0] if row else 0
        newest = self.db.execute("SELECT MAX(timetoken) FROM messages").fetchone()[0] or 0
        return max(stored, newest)

    def save_clock(self, last: int) -> None:
        self.db.execute("INSERT INTO clock (id, last) VALUES (1, ?) "
                        "ON CONFLICT(id) DO UPDATE SET last = excluded.last", (last,))

    # messages --------------------------------------------------------------

    def store_message(self, subkey: str, message: StoredMessage) -> None:
        self.db.execute(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (subkey, message.channel, message.timetoken, message.publisher,
             json.dumps(message.payload), _dump_optional(message.meta), message.custom_type,
             message.message_type),
        )

    def fetch(self, subkey: str, channel: str, *, start: int | None, end: int | None,
              limit: int, oldest_first: bool = False) -> list[StoredMessage]:
        """Messages with `end <= tt < start`: the newest `limit` (or oldest), oldest first."""
        clauses, args = window(subkey, channel, start, end)
        order = "ASC" if oldest_first else "DESC"
        rows = self.db.execute(
            f"SELECT channel, timetoken, publisher, payload, meta, custom_type, message_type "
            f"FROM messages WHERE {' AND '.join(clauses)} ORDER BY timetoken {order} LIMIT ?",
            (*args, limit),
        ).fetchall()
        messages = [_row_to_message(row) for row in rows]
        return messages if oldest_first else messages[::-1]

    def recent(self, since: int) -> list[tuple[str, StoredMessage]]:
        """Every stored message newer than `since`, for refilling the subscribe log."""
        rows = self.db.execute(
            "SELECT subkey, channel, timetoken, publisher, payload, meta, custom_type, "
            "message_type FROM messages WHERE timetoken > ? ORDER BY timetoken", (since,)
        ).fetchall()
        return [(row[0], _row_to_message(row[1:])) for row in rows]

    def count_after(self, subkey: str, channel: str, timetoken: int, cap: int) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE subkey = ? AND channel = ? "
            "AND timetoken > ? LIMIT ?)", (subkey, channel, timetoken, cap)
        ).fetchone()
        return row[0]

    def delete_messages(self, subkey: str, channel: str, *, start: int | None,
                        end: int | None) -> None:
        """PubNub's delete window: with both bounds, what lies between them whichever is
        larger, the message at `end` deleted and the one at `start` kept (the Chat SDK
        sends `start=T-1&end=T` for the message at T); equal bounds delete nothing."""
        if start is not None and end is not None:
            low, high = sorted((start, end))
            self.db.execute("DELETE FROM messages WHERE subkey = ? AND channel = ? AND "
                            "timetoken BETWEEN ? AND ? AND timetoken != ?",
                            (subkey, channel, low, high, start))
            return
        clauses, args = window(subkey, channel, start, end)
        self.db.execute(f"DELETE FROM messages WHERE {' AND '.join(clauses)}", args)

    # channel groups ----------------------------------------------------------

    def load_groups(self) -> dict[str, dict[str, set[str]]]:
        """subkey → group → channels."""
        groups: dict[str, dict[str, set[str]]] = {}
        for subkey, grp, channel in self.db.execute(
            "SELECT subkey, grp, channel FROM group_channels"
        ):
            groups.setdefault(subkey, {}).setdefault(grp, set()).add(channel)
        return groups

    def add_to_group(self, subkey: str, group: str, channels: list[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO group_channels VALUES (?, ?, ?)",
                            [(subkey, group, ch) for ch in channels])

    def remove_from_group(self, subkey: str, group: str, channels: list[str]) -> None:
        self.db.executemany(
            "DELETE FROM group_channels WHERE subkey = ? AND grp = ? AND channel = ?",
            [(subkey, group, ch) for ch in channels])

    def delete_group(self, subkey: str, group: str) -> None:
        self.db.execute("DELETE FROM group_channels WHERE subkey = ? AND grp = ?",
                        (subkey, group))


def _connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


def _create(path: str) -> None:
    """Make a new store beside `path` with its tables, then link it into place."""
    partial = f"{path}.new-{os.getpid()}"
    try:
        db = _connect(partial)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        finally:
            db.close()
        with open(partial, "rb") as made:
            os.fsync(made.fileno())
        try:
            os.link(partial, path)  # never over a store another server made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(partial, path)
        _sync_directory(os.path.dirname(os.path.abspath(path)))
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise StoreError(f"Cannot create the store {path}: {reason}.") from None
    finally:
        for leftover in (partial, partial + "-wal", partial + "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def _sync_directory(directory: str) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _has_wal(path: str) -> bool:
    """Whether a write-ahead log with content sits beside `path` (SQLite replays it)."""
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def _unusable(path: str, error: sqlite3.Error) -> str:
    reason = str(error)
    if isinstance(error, sqlite3.DatabaseError) and "not a database" in reason:
        return (f"{path} is not a store of this server (not an SQLite database, or "
                "damaged). Move it aside to start with an empty store, or restore it "
                "from a backup.")
    if "readonly" in reason or "unable to open" in reason:
        return (f"Cannot open the store {path} for writing ({reason}): check that it and "
                "its directory are writable.")
    return f"Cannot use the store {path}: {reason}."


def window(subkey: str, channel: str, start: int | None, end: int | None,
           column: str = "timetoken") -> tuple[list[str], list[Any]]:
    """WHERE clauses for PubNub's history window: `end <= column < start`."""
    clauses: list[str] = ["subkey = ?", "channel = ?"]
    args: list[Any] = [subkey, channel]
    if start is not None:
        clauses.append(f"{column} < ?")
        args.append(start)
    if end is not None:
        clauses.append(f"{column} >= ?")
        args.append(end)
    return clauses, args


def _dump_optional(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _row_to_message(row: tuple[Any, ...]) -> StoredMessage:
    channel, timetoken, publisher, payload, meta, custom_type, message_type = row
    return StoredMessage(channel, timetoken, publisher, json.loads(payload),
                         None if meta is None else json.loads(meta), custom_type, message_type)
