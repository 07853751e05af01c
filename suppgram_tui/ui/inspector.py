"""The converter workbench's inspector: one wire record in plain-text sections, saying
first what the record is (a simulated customer's message, JSON published as typed, a
reply received from the support user), then the Message, the JSON, the envelope and
what the converter read. Images and files are named, never dumped."""

from __future__ import annotations

import json
from typing import Any

from suppgram_tui.model import MessageKind
from suppgram_tui.simulator.wire_log import PUBLISH_FAILED, WireRecord
from suppgram_tui.text import one_line, visible
from suppgram_tui.timetokens import to_datetime

LONG_STRING = 200
"""Longer JSON strings (base64 images, say) are shown cut, with their length."""
KIND_WORDS = {"customer": "sent", "raw": "raw", "support": "reply", "other": "received"}
"""The wire log's one-word column for each record's source."""
NOTICE_KINDS = frozenset({MessageKind.RESOLVED, MessageKind.POSTPONED})
"""What the support user sends that is no reply: the conversation's outcome."""


def label(record: WireRecord) -> str:
    """What the record is, in a few words (the first line of the detail)."""
    who = one_line(record.customer, 30)
    publisher = one_line(str(record.envelope.get("publisher") or record.customer), 30)
    if record.source == "customer":
        return f"Sent by simulated customer {who} (its Message through convert_to_pubnub)"
    if record.source == "raw":
        by = f"by {who}" if publisher == who else f"on {who}'s channel as {publisher}"
        return (f"Raw JSON published as typed {by} (no Message: only convert_from_pubnub "
                "is checked)")
    if record.source == "support":
        kind = getattr(record.decoded, "kind", None)
        what = f"a notice ({kind.value})" if kind in NOTICE_KINDS and kind is not None \
            else "a reply" if record.decoded is not None else "a reply or notice"
        return (f"Received from the support user {publisher}: {what}, as PubNub "
                f"delivered it to {who}")
    return f"Received from {publisher} (not the support user), as PubNub delivered it to {who}"


def kind_word(record: WireRecord) -> str:
    if record.source == "support" and getattr(record.decoded, "kind", None) in NOTICE_KINDS:
        return "notice"
    return KIND_WORDS.get(record.source, record.direction)


def describe(record: WireRecord) -> str:
    """The inspector's detail, all plain text."""
    sections = [("What", label(record))]
    if record.message is not None:
        sections.append(("Message", message_words(record.message)))
    if record.message is not None and record.outgoing is None:  # it never encoded
        sections.append(("convert_to_pubnub failed", record.error or "(no JSON)"))
        sections.append(("Envelope", envelope_words(record.envelope)))
        return visible("\n".join(f"▸ {title}\n{body}" for title, body in sections))
    sections.append((_json_title(record), json.dumps(shortened(record.payload),
                                                      ensure_ascii=False, default=str)))
    if (files := files_words(record.payload)) is not None:
        sections.append(("Files (Chat SDK)", files))
    sections.append(("Envelope", envelope_words(record.envelope)))
    error = record.error
    if error is not None and error.startswith(PUBLISH_FAILED):  # PubNub's part, not the
        sections.append(("Publish failed", error.removeprefix(PUBLISH_FAILED)))  # converter's
        error = None
    read = error or (f"ignored: {record.ignored}" if record.ignored is not None
                     else message_words(record.decoded))
    sections.append(("convert_from_pubnub", read))
    if record.round_trip is not None:
        sections.append(("Round trip", "equal" if record.round_trip
                         else "CHANGED: " + "; ".join(record.changes or ())))
    return visible("\n".join(f"▸ {title}\n{body}" for title, body in sections))


def _json_title(record: WireRecord) -> str:
    if record.direction == "received":
        return "JSON received"
    return "JSON (convert_to_pubnub)" if record.message else "JSON published as typed"


def message_words(message: object) -> str:
    """A Message's fields; an image by its type and size."""
    if message is None:
        return "(none)"
    kind = getattr(message, "kind", None)
    words = (f"kind={getattr(kind, 'value', kind)} time_utc={getattr(message, 'time_utc', None)} "
             f"text={getattr(message, 'text', None)!r}")
    image = getattr(message, "image", None)
    if image is not None:
        mime = getattr(message, "image_mime", None) or "type not given"
        size = f"{len(image):,} bytes" if isinstance(image, (bytes, bytearray)) \
            else f"not bytes but {type(image).__name__}"
        words += f"\nimage: {mime}, {size}"
    return words


def files_words(payload: Any) -> str | None:
    """A Chat SDK payload's ``files``, one line each: name, type, size (None if none)."""
    files = payload.get("files") if isinstance(payload, dict) else None
    if not isinstance(files, list) or not files:
        return None
    lines = []
    for number, file in enumerate(files, 1):
        if not isinstance(file, dict):
            lines.append(f"{number}. not a file object: {one_line(repr(file), 40)}")
            continue
        name = one_line(str(file.get("name") or file.get("id") or "(no name)"), 60)
        facts = [one_line(str(file["type"]), 40)] if file.get("type") else ["type not given"]
        size = file.get("size")
        facts.append(f"{size:,} bytes" if isinstance(size, int) else "size not given")
        lines.append(f"{number}. {name} ({', '.join(facts)})")
    return "\n".join(lines)


def envelope_words(envelope: dict[str, Any]) -> str:
    """One line per field PubNub delivered (or acknowledged) with the payload."""
    if not envelope:
        return "(not published)"
    lines = [f"publisher: {envelope.get('publisher')}"]
    timetoken = envelope.get("timetoken")
    try:
        when = f" ({to_datetime(int(timetoken)):%Y-%m-%d %H:%M:%S.%f} UTC)" if timetoken else ""
    except (TypeError, ValueError, OverflowError):
        when = ""
    lines.append(f"timetoken: {timetoken}{when}")
    lines.append(f"channel: {envelope.get('channel')}")
    lines.append("meta: " + json.dumps(envelope.get("meta"), ensure_ascii=False, default=str))
    if envelope.get("custom_message_type") is not None:
        lines.append(f"custom message type: {envelope['custom_message_type']}")
    return "\n".join(lines)


def shortened(value: Any) -> Any:
    """``value`` with long strings cut (a base64 image is not read by eye); saving the
    record as a sample keeps it whole."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        return f"{value[:60]}… ({len(value):,} characters)"
    if isinstance(value, dict):
        return {key: shortened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shortened(item) for item in value]
    return value
