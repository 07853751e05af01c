"""The store's content on its way to the file (a snapshot) and back (loading)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tinydb import TinyDB

from .errors import StoreCorrupt, StoreInaccessible, StoreTooNew, Unreadable
from .file import StoreFile, move_aside
from .schema import SCHEMA_VERSION, check_tables, documents

SEPARATE = ("read_markers", "drafts")
"""Tables kept as plain dicts rather than in TinyDB: they change on every keystroke."""


@dataclass(frozen=True)
class Snapshot:
    """Everything in the store at one moment, private to the write that takes it."""

    generation: int
    tables: dict[str, Any]
    markers: dict[str, int]
    drafts: dict[str, str]

    def render(self) -> str:
        tables = dict(self.tables)
        if self.markers:
            tables["read_markers"] = documents("channel", "timetoken", self.markers)
        if self.drafts:
            tables["drafts"] = documents("channel", "text", self.drafts)
        return json.dumps(tables, ensure_ascii=False, separators=(",", ":"))


def mapping(table: Mapping[str, Any], key: str, value: str) -> dict[str, Any]:
    return {doc[key]: doc[value] for doc in table.values()}


def load(file: StoreFile, db: TinyDB) -> tuple[dict[str, int], dict[str, str]]:
    """Read `file` into `db` (all but markers and drafts, returned apart); a new file
    is written at once with the schema version (unless it cannot be: see `problem`)."""
    try:
        tables = file.read() or {}
        version = check_tables(tables)
    except Unreadable as exc:
        moved_to = move_aside(file.path)
        raise StoreCorrupt(file.path, moved_to, str(exc)) from None
    if version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"The agent store {file.path} was written by a newer suppgram-tui "
            f"(schema version {version}; this one knows up to {SCHEMA_VERSION}); "
            "upgrade suppgram-tui or use another --data-dir."
        )
    markers = mapping(tables.get("read_markers", {}), "channel", "timetoken")
    drafts = mapping(tables.get("drafts", {}), "channel", "text")
    db.storage.write({name: table for name, table in tables.items()
                       if name not in SEPARATE})
    if version == 0:
        db.table("meta").insert({"schema_version": SCHEMA_VERSION})
        first = Snapshot(1, db.storage.read() or {}, markers, drafts)
        with contextlib.suppress(StoreInaccessible):
            file.replace(first.generation, first.render)
    return markers, drafts
