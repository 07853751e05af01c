"""The converter workbench's inspector: one wire record, in four plain-text sections."""

from __future__ import annotations

import json

from suppgram_tui.simulator.wire_log import WireRecord
from suppgram_tui.text import visible


def describe(record: WireRecord) -> str:
    """The inspector's detail: four sections, all plain text."""
    sections = [
        ("Message", _message(record.message) if record.message else "(raw JSON)"),
        (_json_title(record), record.payload_json),
        ("Envelope", json.dumps(record.envelope, ensure_ascii=False, default=str)
         if record.envelope else "(not published)"),
        ("convert_from_pubnub", record.error or _message(record.decoded)),
    ]
    if record.round_trip is not None:
        sections.append(("Round trip", "equal" if record.round_trip
                         else "CHANGED: " + "; ".join(record.changes or ())))
    return visible("\n".join(f"▸ {title}\n{body}" for title, body in sections))


def _json_title(record: WireRecord) -> str:
    if record.direction == "received":
        return "JSON received"
    return "JSON (convert_to_pubnub)" if record.message else "JSON published as typed"


def _message(message: object) -> str:
    if message is None:
        return "(none)"
    kind = getattr(message, "kind", None)
    return (f"kind={getattr(kind, 'value', kind)} time_utc={getattr(message, 'time_utc', None)} "
            f"text={getattr(message, 'text', None)!r}")
