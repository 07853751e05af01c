"""The agent's own small state on disk: read markers, drafts, outbox, canned replies,
settings.

Messages are not kept here (PubNub is their archive) and neither are secrets: the API
has no place for publish/subscribe/secret keys or tokens, and settings whose name or
value looks like one are refused, so a stolen laptop leaks no credentials.

The file is TinyDB's JSON, written atomically (temp file, fsync, rename) with mode 0600
and a schema version. A damaged file is moved aside, never overwritten. One console at
a time may use a store file (an advisory lock beside it, on POSIX).

Writes are batched. Outbox, canned-reply and setting changes reach the disk before the
call returns (a reply must survive a crash before it is published). Read markers and
drafts change on every message and keystroke, so they are kept in memory and written
at most once per ``flush_interval`` while changes keep coming; the owner calls
``flush()`` from a timer and ``close()`` at exit to write the rest. A crash loses at
most that interval of markers and drafts, never an unsent reply.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage

from suppgram_tui.paths import ensure_private_dir
from suppgram_tui.timetokens import now_utc

try:
    import fcntl
except ImportError:  # Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 1
"""Bump when the file layout changes, and teach ``AgentStore`` to migrate older files."""

_SECRET_NAME = re.compile(r"secret|token|passw|credential|(^|[_\-.])(auth|key)([_\-.]|$)", re.I)
_SECRET_VALUE = re.compile(r"^(sec|pub|sub)-c-", re.I)  # PubNub's key prefixes


class StoreError(Exception):
    """The agent store cannot be used; the text tells the agent what to do."""


class StoreCorrupt(StoreError):
    """The file was damaged and has been moved aside to ``moved_to``.

    Opening the same path again starts a fresh, empty store; the damaged file stays
    where it was moved, so nothing in it (such as unsent replies) is destroyed.
    """

    def __init__(self, path: Path, moved_to: Path, reason: str) -> None:
        self.path, self.moved_to, self.reason = path, moved_to, reason
        super().__init__(
            f"The agent store {path} is damaged ({reason}); it was moved aside to "
            f"{moved_to}, unchanged. Open the store again to start with an empty one; "
            "drafts, read markers and unsent replies from the damaged file are not "
            "carried over."
        )


class StoreTooNew(StoreError):
    """The file was written by a newer suppgram-tui; it is left untouched."""


class StoreLocked(StoreError):
    """Another console has this store open."""


class SecretRefused(ValueError):
    """Something that looks like a key, token or password was offered to the store."""


class OutboxState(str, Enum):
    """Where an unsent reply is: waiting, handed to PubNub without an answer yet (so
    check history before resending), or given up on until the agent retries."""

    PENDING = "pending"
    SENDING = "sending"
    FAILED = "failed"


@dataclass(frozen=True)
class OutboxEntry:
    """A reply the agent sent that PubNub has not acknowledged yet.

    ``message`` is the JSON payload the converter produced and ``meta`` the publish
    meta (agent name, client id); both must be JSON data.
    """

    client_id: str
    channel: str
    message: Any
    meta: dict[str, Any] = field(default_factory=dict)
    created: datetime = field(default_factory=now_utc)
    attempts: int = 0
    last_error: str | None = None
    state: OutboxState = OutboxState.PENDING

    def to_document(self) -> dict[str, Any]:
        """The entry as stored in the file."""
        return {
            "client_id": self.client_id,
            "channel": self.channel,
            "message": self.message,
            "meta": self.meta,
            "created": self.created.isoformat(),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "state": self.state.value,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> OutboxEntry:
        """Rebuild an entry; raises ``ValueError`` if the document is not one."""
        created = datetime.fromisoformat(doc["created"])
        if created.utcoffset() is None:
            raise ValueError("'created' has no UTC offset")
        return cls(
            client_id=doc["client_id"],
            channel=doc["channel"],
            message=doc["message"],
            meta=dict(doc["meta"]),
            created=created,
            attempts=doc["attempts"],
            last_error=doc["last_error"],
            state=OutboxState(doc["state"]),
        )


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces the whole file atomically and privately.

    A reader never sees half a file: the data goes to a temp file (mode 0600) in the
    same directory, is fsynced, then renamed over the old one.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Unreadable("it is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise _Unreadable(
                f"it is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        _check_tinydb_shape(data)
        return data

    def write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_directory(self.path.parent)

    def close(self) -> None:
        pass


class _WriteBehind(CachingMiddleware):
    """Serves TinyDB from memory and writes only when ``AgentStore`` flushes."""

    WRITE_CACHE_SIZE = 2**62


class AgentStore:
    """Typed access to one agent's store file. Not thread-safe: use it from one thread
    (the event loop's)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        flush_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self._flush_interval = flush_interval
        self._clock = clock
        ensure_private_dir(self.path.parent)
        self._lock_fd = _lock(self.path)
        try:
            self._db = TinyDB(self.path, storage=_WriteBehind(AtomicJSONStorage))
            self._markers, self._drafts = self._load()
        except BaseException:
            _unlock(self._lock_fd)
            raise
        self._dirty_markers = self._dirty_drafts = False
        self._last_flush = self._clock()
        self._closed = False

    # -- read markers: timetoken of the last message the agent has seen, per channel --

    def read_marker(self, channel: str) -> int | None:
        return self._markers.get(channel)

    def read_markers(self) -> dict[str, int]:
        """All markers at once, for one batched unread count at startup."""
        return dict(self._markers)

    def set_read_marker(self, channel: str, timetoken: int) -> None:
        if isinstance(timetoken, bool) or not isinstance(timetoken, int) or timetoken < 0:
            raise ValueError(f"a read marker is a PubNub timetoken, not {timetoken!r}")
        if self._markers.get(channel) != timetoken:
            self._markers[channel] = timetoken
            self._dirty_markers = True
            self._flush_if_due()

    # -- drafts: what the agent typed but has not sent, per channel --

    def draft(self, channel: str) -> str:
        return self._drafts.get(channel, "")

    def set_draft(self, channel: str, text: str) -> None:
        """An empty text deletes the draft."""
        if self._drafts.get(channel, "") != text:
            if text:
                self._drafts[channel] = text
            else:
                self._drafts.pop(channel, None)
            self._dirty_drafts = True
            self._flush_if_due()

    # -- outbox: replies stored before publishing, until PubNub acknowledges them --

    def outbox_add(self, entry: OutboxEntry) -> None:
        _check_json(entry.message, "an outbox message")
        _check_json(entry.meta, "outbox meta")
        for key in entry.meta:
            _refuse_secret_name(key)
        table = self._db.table("outbox")
        if table.contains(Query().client_id == entry.client_id):
            raise ValueError(f"the outbox already has a reply with client id {entry.client_id!r}")
        table.insert(entry.to_document())
        self.flush()

    def outbox_entry(self, client_id: str) -> OutboxEntry | None:
        doc = self._db.table("outbox").get(Query().client_id == client_id)
        return None if doc is None else OutboxEntry.from_document(doc)

    def outbox_pending(self) -> list[OutboxEntry]:
        """Every unacknowledged reply, whatever its state, oldest first."""
        return [OutboxEntry.from_document(doc) for doc in self._db.table("outbox").all()]

    def outbox_update(self, entry: OutboxEntry) -> None:
        """Replace the stored entry with the same client id (e.g. after an attempt)."""
        _check_json(entry.message, "an outbox message")
        updated = self._db.table("outbox").update(
            entry.to_document(), Query().client_id == entry.client_id
        )
        if not updated:
            raise KeyError(f"the outbox has no reply with client id {entry.client_id!r}")
        self.flush()

    def outbox_remove(self, client_id: str) -> None:
        """Forget an acknowledged reply; removing one that is gone is not an error."""
        if self._db.table("outbox").remove(Query().client_id == client_id):
            self.flush()

    # -- canned replies: named texts the agent inserts often --

    def canned_replies(self) -> dict[str, str]:
        docs = self._db.table("canned_replies").all()
        return {doc["name"]: doc["text"] for doc in sorted(docs, key=lambda d: d["name"])}

    def set_canned_reply(self, name: str, text: str) -> None:
        if not name:
            raise ValueError("a canned reply needs a name")
        self._db.table("canned_replies").upsert({"name": name, "text": text}, Query().name == name)
        self.flush()

    def remove_canned_reply(self, name: str) -> None:
        if self._db.table("canned_replies").remove(Query().name == name):
            self.flush()

    # -- settings: small agent preferences (theme, agent name, ...), never secrets --

    def setting(self, name: str, default: Any = None) -> Any:
        doc = self._db.table("settings").get(Query().name == name)
        return default if doc is None else doc["value"]

    def set_setting(self, name: str, value: Any) -> None:
        """Raises ``SecretRefused`` if the name or value looks like a credential."""
        _refuse_secret_name(name)
        if isinstance(value, str) and _SECRET_VALUE.match(value):
            raise SecretRefused(f"setting {name!r} looks like a key or token; not storing it")
        _check_json(value, f"setting {name!r}")
        self._db.table("settings").upsert({"name": name, "value": value}, Query().name == name)
        self.flush()

    # -- persistence --

    @property
    def has_unsaved_changes(self) -> bool:
        return self._dirty_markers or self._dirty_drafts

    def flush(self) -> None:
        """Write every pending change to disk now (one atomic file write)."""
        if self._closed:
            raise StoreError(f"The agent store {self.path} is closed.")
        if self._dirty_markers:
            self._replace_table("read_markers", "channel", "timetoken", self._markers)
            self._dirty_markers = False
        if self._dirty_drafts:
            self._replace_table("drafts", "channel", "text", self._drafts)
            self._dirty_drafts = False
        self._db.storage.flush()
        self._last_flush = self._clock()

    def close(self) -> None:
        """Write what is pending and let another console open the file."""
        if self._closed:
            return
        try:
            self.flush()
            self._db.close()
        finally:
            self._closed = True
            _unlock(self._lock_fd)

    def __enter__(self) -> AgentStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _flush_if_due(self) -> None:
        if self._closed or self._clock() - self._last_flush >= self._flush_interval:
            self.flush()

    def _replace_table(self, name: str, key: str, value: str, mapping: Mapping[str, Any]) -> None:
        table = self._db.table(name)
        table.truncate()
        table.insert_multiple({key: k, value: v} for k, v in mapping.items())

    def _load(self) -> tuple[dict[str, int], dict[str, str]]:
        try:
            tables = self._db.storage.read() or {}
            version = _schema_version(tables)
            if version > SCHEMA_VERSION:
                raise StoreTooNew(
                    f"The agent store {self.path} was written by a newer suppgram-tui "
                    f"(schema version {version}; this one knows up to {SCHEMA_VERSION}); "
                    "upgrade suppgram-tui or use another --data-dir."
                )
            _check_documents(tables)
        except _Unreadable as exc:
            moved_to = _move_aside(self.path)
            raise StoreCorrupt(self.path, moved_to, str(exc)) from None
        if version == 0:
            self._db.table("meta").insert({"schema_version": SCHEMA_VERSION})
            self._db.storage.flush()
        markers = {d["channel"]: d["timetoken"] for d in tables.get("read_markers", {}).values()}
        drafts = {d["channel"]: d["text"] for d in tables.get("drafts", {}).values()}
        return markers, drafts


class _Unreadable(Exception):
    """Why a store file cannot be read, in words."""


_DOCUMENT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "meta": {"schema_version": (int,)},
    "read_markers": {"channel": (str,), "timetoken": (int,)},
    "drafts": {"channel": (str,), "text": (str,)},
    "canned_replies": {"name": (str,), "text": (str,)},
    "settings": {"name": (str,)},
    "outbox": {
        "client_id": (str,),
        "channel": (str,),
        "meta": (dict,),
        "created": (str,),
        "attempts": (int,),
        "last_error": (str, type(None)),
        "state": (str,),
    },
}


def _check_tinydb_shape(data: Any) -> None:
    if not isinstance(data, dict):
        raise _Unreadable(f"it holds a JSON {type(data).__name__}, not an object of tables")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise _Unreadable(f"table {name!r} is not an object of documents")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise _Unreadable(f"table {name!r} has a malformed document {doc_id!r}")


def _schema_version(tables: Mapping[str, Any]) -> int:
    if not tables:
        return 0
    versions = [doc.get("schema_version") for doc in tables.get("meta", {}).values()]
    if len(versions) != 1 or type(versions[0]) is not int or versions[0] < 1:
        raise _Unreadable("it has no valid schema version")
    return versions[0]


def _check_documents(tables: Mapping[str, Any]) -> None:
    for name, fields in _DOCUMENT_FIELDS.items():
        for doc_id, doc in tables.get(name, {}).items():
            for key, types in fields.items():
                if key not in doc or type(doc[key]) not in types:
                    raise _Unreadable(f"{name} document {doc_id} has no valid {key!r}")
            if name == "settings" and "value" not in doc:
                raise _Unreadable(f"settings document {doc_id} has no 'value'")
            if name == "outbox":
                try:
                    OutboxEntry.from_document(doc)
                except (KeyError, TypeError, ValueError) as exc:
                    raise _Unreadable(f"outbox document {doc_id} is malformed ({exc})") from None


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.rename(path, target)
    return target


def _lock(path: Path) -> int | None:
    if fcntl is None:
        return None
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreLocked(
            f"The agent store {path} is in use by another suppgram-tui console; "
            "close that one first, or use another --data-dir."
        ) from None
    except OSError:  # a filesystem without locks (some network mounts): go on unlocked
        os.close(fd)
        return None
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on Windows."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _refuse_secret_name(name: str) -> None:
    if _SECRET_NAME.search(name):
        raise SecretRefused(f"{name!r} looks like the name of a key or token; not storing it")


def _check_json(value: Any, what: str) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON data ({exc})") from None
