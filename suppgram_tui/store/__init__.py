"""The agent's own small state on disk: read markers, drafts, outbox, canned replies
and the conversation that was on screen.

Messages are not kept here (PubNub is their archive) and neither are secrets: the API
has no place for publish/subscribe/secret keys or tokens, and outbox meta whose name
looks like one is refused, so a stolen laptop leaks no credentials.

The file is TinyDB's JSON, replaced whole and atomically with mode 0600 and a schema
version (``file``, ``schema``). A damaged file is moved aside, never overwritten. One
console at a time may use a store file (an advisory lock beside it, on POSIX).

Changes are made in memory and written off the event loop: a write snapshots
everything on the loop and replaces the file from a worker thread. Outbox and canned-
reply changes start a write on the next loop turn; read markers and drafts change on
every message and keystroke, so a timer writes them at most ``flush_interval`` seconds
later. ``await save()`` returns once everything changed so far is on disk: the outbox
awaits it before it publishes, so a reply is durable before PubNub has it. ``close()``
(or ``await aclose()``, which writes from a thread first) writes the rest; without a
running event loop nothing is written before ``flush()`` or ``close()``.

A file that cannot be written (``StoreInaccessible``: immutable, read-only, a full
disk) loses nothing: everything stays in memory and is written again every
``RETRY_WRITE`` seconds; meanwhile new replies are refused, so the agent keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import os
from pathlib import Path

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

from suppgram_tui.paths import ensure_private_dir

from .errors import (
    SecretRefused,
    StoreCorrupt,
    StoreError,
    StoreInaccessible,
    StoreLocked,
    StoreTooNew,
)
from .file import StoreFile, lock, unlock
from .schema import (
    SCHEMA_VERSION,
    OutboxEntry,
    OutboxState,
    check_json,
    refuse_secret_name,
)
from .snapshot import Snapshot, load

__all__ = [
    "SCHEMA_VERSION", "AgentStore", "OutboxEntry", "OutboxState", "SecretRefused",
    "StoreCorrupt", "StoreError", "StoreInaccessible", "StoreLocked", "StoreTooNew",
]

log = logging.getLogger(__name__)

RETRY_WRITE = 5.0
"""Seconds between attempts to write a file that could not be written."""


class AgentStore:
    """Typed access to one agent's store file. Use it from one thread (the event
    loop's); only its writes run elsewhere."""

    def __init__(self, path: str | os.PathLike[str], *, flush_interval: float = 2.0) -> None:
        self.path = Path(path)
        self._flush_interval = flush_interval
        ensure_private_dir(self.path.parent)
        self._lock_fd = lock(self.path)
        self._file = StoreFile(self.path)
        try:
            self._db = TinyDB(storage=MemoryStorage)
            self._markers, self._drafts = load(self._file, self._db)
        except BaseException:
            unlock(self._lock_fd)
            raise
        self._generation = self._file.written
        self._dirty = self._file.problem is not None  # a new file not written yet
        self._last: Snapshot | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._writes: set[asyncio.Task[None]] = set()
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
            self._changed(at_once=False)

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
            self._changed(at_once=False)

    # -- the conversation on screen, to come back to at the next start --

    def shown_conversation(self) -> str | None:
        docs = self._db.table("shown").all()
        return str(docs[0]["channel"]) if docs else None

    def set_shown_conversation(self, channel: str) -> None:
        if self.shown_conversation() != channel:
            table = self._db.table("shown")
            table.truncate()
            table.insert({"channel": channel})
            self._changed(at_once=False)

    # -- outbox: replies stored before publishing, until PubNub acknowledges them --

    def outbox_add(self, entry: OutboxEntry) -> None:
        """Store a reply to publish; ``StoreError`` while the file cannot be written,
        since a reply is only sent once it is on disk (the agent keeps it meanwhile)."""
        if self._file.problem is not None:
            raise StoreError(f"{self._file.problem} Your reply was not sent.")
        check_json(entry.message, "an outbox message")
        check_json(entry.meta, "outbox meta")
        for key in entry.meta:
            refuse_secret_name(key)
        table = self._db.table("outbox")
        if table.contains(Query().client_id == entry.client_id):
            raise ValueError(f"the outbox already has a reply with client id {entry.client_id!r}")
        table.insert(entry.to_document())
        self._changed(at_once=True)

    def outbox_entry(self, client_id: str) -> OutboxEntry | None:
        doc = self._db.table("outbox").get(Query().client_id == client_id)
        return None if doc is None else OutboxEntry.from_document(doc)

    def outbox_pending(self) -> list[OutboxEntry]:
        """Every unacknowledged reply, whatever its state, oldest first."""
        return [OutboxEntry.from_document(doc) for doc in self._db.table("outbox").all()]

    def outbox_update(self, entry: OutboxEntry) -> None:
        """Replace the stored entry with the same client id (e.g. after an attempt)."""
        check_json(entry.message, "an outbox message")
        updated = self._db.table("outbox").update(
            entry.to_document(), Query().client_id == entry.client_id
        )
        if not updated:
            raise KeyError(f"the outbox has no reply with client id {entry.client_id!r}")
        self._changed(at_once=True)

    def outbox_remove(self, client_id: str) -> None:
        """Forget an acknowledged reply; removing one that is gone is not an error."""
        if self._db.table("outbox").remove(Query().client_id == client_id):
            self._changed(at_once=True)

    # -- canned replies: named texts the agent inserts often --

    def canned_replies(self) -> dict[str, str]:
        docs = self._db.table("canned_replies").all()
        return {doc["name"]: doc["text"] for doc in sorted(docs, key=lambda d: d["name"])}

    def set_canned_reply(self, name: str, text: str) -> None:
        if not name:
            raise ValueError("a canned reply needs a name")
        self._db.table("canned_replies").upsert({"name": name, "text": text}, Query().name == name)
        self._changed(at_once=True)

    def remove_canned_reply(self, name: str) -> None:
        if self._db.table("canned_replies").remove(Query().name == name):
            self._changed(at_once=True)

    # -- persistence --

    async def save(self) -> None:
        """Return once every change made before the call is on disk. The file is
        replaced from a worker thread, so the event loop goes on meanwhile."""
        snapshot = self._snapshot()
        if snapshot is not None and self._file.written < snapshot.generation:
            await asyncio.to_thread(self._file.replace, snapshot.generation, snapshot.render)

    @property
    def write_problem(self) -> str | None:
        """Why the file cannot be written, in a sentence, until a write succeeds."""
        return None if self._file.problem is None else str(self._file.problem)

    def check_writable(self) -> str | None:
        """Write everything now, on the calling thread (a worker's), to learn whether
        the file can be written at all; returns `write_problem`."""
        self._dirty = True
        with contextlib.suppress(StoreInaccessible):
            self.flush()
        return self.write_problem

    def flush(self) -> None:
        """Write every pending change now, on the calling thread (no event loop needed)."""
        snapshot = self._snapshot()
        if snapshot is not None:
            self._file.replace(snapshot.generation, snapshot.render)

    async def aclose(self) -> None:
        """Write what is pending from a worker thread, then close."""
        try:
            if not self._closed:
                await self.save()
                await asyncio.gather(*self._writes, return_exceptions=True)
        finally:
            self.close()

    def close(self) -> None:
        """Write what is pending and let another console open the file."""
        if self._closed:
            return
        try:
            self.flush()
            self._db.close()
        finally:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            unlock(self._lock_fd)

    def __enter__(self) -> AgentStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _changed(self, *, at_once: bool) -> None:
        """Note a change and make sure a write is due: on the next loop turn, or within
        ``flush_interval`` for markers and drafts."""
        if self._closed:
            raise StoreError(f"The agent store {self.path} is closed.")
        self._dirty = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop: flush() or close() writes
        due = loop.time() + (0.0 if at_once else self._flush_interval)
        if self._timer is not None:
            if self._timer.when() <= due:
                return
            self._timer.cancel()
        self._timer = loop.call_at(due, self._write_in_background)

    def _write_in_background(self) -> None:
        self._timer = None
        task = asyncio.ensure_future(self._save_logged())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _save_logged(self) -> None:
        try:
            await self.save()
        except StoreInaccessible:  # logged once by the file; try again until it works
            if self._timer is None and not self._closed:
                self._timer = asyncio.get_running_loop().call_later(
                    RETRY_WRITE, self._write_in_background)
        except Exception:  # the next write (or close) tries again with everything
            log.exception("could not write the agent store %s", self.path)

    def _snapshot(self) -> Snapshot | None:
        """What the next write must put on disk: a fresh snapshot if anything changed,
        else the last one (which may still be on its way, or have failed)."""
        if self._dirty:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._generation += 1
            self._last = Snapshot(self._generation, copy.deepcopy(self._db.storage.read() or {}),
                                   dict(self._markers), dict(self._drafts))
            self._dirty = False
        return self._last
