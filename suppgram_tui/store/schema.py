"""What the store file holds: TinyDB's table shape, the schema version, the documents of
each table, and the outbox record. A file that does not match is ``Unreadable``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from suppgram_tui.timetokens import now_utc

from .errors import SecretRefused, Unreadable

SCHEMA_VERSION = 1
"""Bump when the file layout changes, and teach ``AgentStore`` to migrate older files."""

_SECRET_NAME = re.compile(r"secret|token|passw|credential|(^|[_\-.])(auth|key)([_\-.]|$)", re.I)


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
    claim: bool = False
    """Claim the conversation before publishing: the reply was written to an unassigned
    conversation while the claim could not be made (offline). Absent in older files."""
    custom_message_type: str | None = None
    """PubNub's custom message type the converter gave the reply; absent in older files."""

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
            "claim": self.claim,
            **({"custom_message_type": self.custom_message_type}
               if self.custom_message_type else {}),
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
            claim=doc.get("claim", False) is True,
            custom_message_type=_optional_text(doc.get("custom_message_type")),
        )


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


_DOCUMENT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "meta": {"schema_version": (int,)},
    "read_markers": {"channel": (str,), "timetoken": (int,)},
    "drafts": {"channel": (str,), "text": (str,)},
    "canned_replies": {"name": (str,), "text": (str,)},
    "shown": {"channel": (str,)},
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


def check_tables(data: Any) -> int:
    """The schema version of a file's parsed JSON (0 for a new, empty store), after
    checking every document this version knows; ``Unreadable`` says what is wrong."""
    _check_tinydb_shape(data)
    version = _schema_version(data)
    if version <= SCHEMA_VERSION:
        _check_documents(data)
    return version


def documents(key: str, value: str, mapping: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A mapping as a TinyDB table of ``{key: k, value: v}`` documents, ids from 1."""
    return {str(doc_id): {key: k, value: v}
            for doc_id, (k, v) in enumerate(mapping.items(), start=1)}


def refuse_secret_name(name: str) -> None:
    if _SECRET_NAME.search(name):
        raise SecretRefused(f"{name!r} looks like the name of a key or token; not storing it")


def check_json(value: Any, what: str) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON data ({exc})") from None


def _check_tinydb_shape(data: Any) -> None:
    if not isinstance(data, dict):
        raise Unreadable(f"it holds a JSON {type(data).__name__}, not an object of tables")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise Unreadable(f"table {name!r} is not an object of documents")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise Unreadable(f"table {name!r} has a malformed document {doc_id!r}")


def _schema_version(tables: Mapping[str, Any]) -> int:
    if not tables:
        return 0
    versions = [doc.get("schema_version") for doc in tables.get("meta", {}).values()]
    if len(versions) != 1 or type(versions[0]) is not int or versions[0] < 1:
        raise Unreadable("it has no valid schema version")
    return versions[0]


def _check_documents(tables: Mapping[str, Any]) -> None:
    for name, fields in _DOCUMENT_FIELDS.items():
        for doc_id, doc in tables.get(name, {}).items():
            for key, types in fields.items():
                if key not in doc or type(doc[key]) not in types:
                    raise Unreadable(f"{name} document {doc_id} has no valid {key!r}")
            if name == "outbox":
                try:
                    OutboxEntry.from_document(doc)
                except (KeyError, TypeError, ValueError) as exc:
                    raise Unreadable(f"outbox document {doc_id} is malformed ({exc})") from None
