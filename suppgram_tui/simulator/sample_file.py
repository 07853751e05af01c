"""A wire record saved as a ``check-converter`` sample: the payload in the envelope it
was delivered (or would have been published) in, so an envelope-aware converter is
checked against exactly what it met in the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from suppgram_tui.timetokens import from_datetime

from .wire_log import WireRecord


def sample_of(record: WireRecord) -> dict[str, Any]:
    """The envelope sample ``load_sample`` reads: message, publisher, timetoken, channel,
    and meta and custom message type when there are any."""
    envelope = record.envelope
    sample: dict[str, Any] = {"message": record.payload,
                              "publisher": envelope.get("publisher") or record.customer}
    timetoken = envelope.get("timetoken")
    if timetoken is None and record.message is not None:  # not published: its own instant
        timetoken = from_datetime(record.message.time_utc)
    if timetoken is not None:
        sample["timetoken"] = timetoken
    if envelope.get("channel"):
        sample["channel"] = envelope["channel"]
    meta = envelope.get("meta", record.outgoing.meta if record.outgoing else None)
    if meta:
        sample["meta"] = meta
    custom_type = envelope.get("custom_message_type") or (
        record.outgoing.custom_message_type if record.outgoing else None)
    if custom_type:
        sample["custom_message_type"] = custom_type
    return sample


def default_path(record: WireRecord, directory: Path) -> Path:
    """``sample-<customer>-<what>-<n>.json`` in ``directory``, the first that is free."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in record.customer)[:40]
    what = {"customer": "sent", "support": "reply"}.get(record.source, record.source or "x")
    number = 1
    while (path := directory / f"sample-{stem}-{what}-{number}.json").exists():
        number += 1
    return path


def save_problem(record: WireRecord, answer: str) -> str | None:
    """Write the sample to ``answer``; why it could not, in a sentence (None: written).
    An existing file is never overwritten."""
    if not answer.strip():
        return "Type a file name to save the sample in (the grey text is only an example)."
    path = Path(answer.strip()).expanduser()
    if path.is_dir():
        return f"{path} is a folder: add a file name, like {path / 'sample.json'}."
    try:
        text = json.dumps(sample_of(record), ensure_ascii=False, indent=2, allow_nan=False)
    except (TypeError, ValueError) as error:
        return f"This payload cannot be written as JSON: {error}."
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(text + "\n")
    except FileExistsError:
        return f"{path} already exists and is not overwritten: choose another name."
    except FileNotFoundError:
        return f"The folder {path.parent} does not exist."
    except OSError as error:
        return f"Cannot write {path}: {error.strerror or error}."
    return None
