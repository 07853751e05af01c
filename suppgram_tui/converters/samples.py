"""Sample files for ``check-converter``: payloads as the customers' app publishes them,
bare or in the envelope PubNub delivered them in.

A sample is read, with a hint in words for the usual mistakes (an empty file, a byte
order mark, one payload per line, JSON inside a JSON string); it must decode, and
re-encoding what it decoded and decoding that again must give the same message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from suppgram_tui.timetokens import from_datetime

from .base import ConverterLike, WireMessage
from .checking import (
    CHECK_SENDER,
    CaseFailed,
    CaseIgnored,
    CheckResult,
    as_message,
    decode_raw,
    differences_from,
    hung,
    publishable_json,
    size_problem,
)
from .differences import describe_message
from .envelope import Sender, delivered, publication
from .guard import ConverterFailed

CHECK_TIMETOKEN = from_datetime(datetime(2026, 11, 26, 4, 0, 0, 123456, tzinfo=timezone.utc))
"""When a bare sample was published, since it says no time."""
ENVELOPE_KEYS = frozenset({"message", "publisher", "uuid", "timetoken", "meta",
                           "user_metadata", "custom_message_type", "channel",
                           "message_type"})
"""An envelope sample's fields: ours, or a history item's as fetch_messages returns it."""


@dataclass(frozen=True)
class Sample:
    """One payload as the customer's app publishes it, read from a file, with the
    envelope it came in when the file gives one."""

    name: str
    payload: Any
    publisher: str | None = None
    timetoken: int | None = None
    meta: dict[str, Any] | None = None
    custom_message_type: str | None = None
    channel: str | None = None
    notes: tuple[str, ...] = ()
    """What was odd about the file but did not stop it being read."""

    def wire(self, sender: Sender = CHECK_SENDER) -> WireMessage:
        """As PubNub would deliver it; what the file does not say comes from ``sender``
        (a customer's message, at a fixed instant)."""
        return WireMessage(
            message=self.payload, channel=self.channel or sender.channel,
            publisher=self.publisher if self.publisher is not None else sender.customer,
            timetoken=self.timetoken if self.timetoken is not None else CHECK_TIMETOKEN,
            user_metadata=self.meta, subscription=sender.group,
            custom_message_type=self.custom_message_type)


class SampleError(ValueError):
    """A sample file that cannot be read as JSON; the text is one sentence."""


def check_sample(converter: ConverterLike, sample: Sample,
                 sender: Sender = CHECK_SENDER) -> CheckResult:
    """A customer's payload must decode; re-encoding it and decoding again must give the
    same message. One the converter ignores passes, saying so."""
    name = f"sample {sample.name}"
    notes = "".join(f" ({note})" for note in sample.notes)
    try:
        decoded = as_message(decode_raw(converter, sample.wire(sender)))
    except CaseIgnored as ignored:
        return CheckResult(name, True, f"ignored by the converter: {ignored}; the console "
                                       f"files it in no conversation{notes}")
    except CaseFailed as failure:
        return CheckResult(name, False, f"does not decode: {failure}{notes}",
                           hung=hung(failure))
    seen = f"decoded {describe_message(decoded)}"
    problems = [p for p in [size_problem(json.dumps(sample.payload))] if p]
    try:
        outgoing, publisher = publication(converter, decoded, sender)
    except ConverterFailed as failed:
        if decoded.image is not None and not problems:
            reason = f"{seen}; images not supported: {failed}"
            return CheckResult(name, passed=True, reason=reason + notes, skipped=True)
        problems.append(f"re-encoding it, {failed}")
        return CheckResult(name, False, f"{seen}; " + "; ".join(problems) + notes)
    try:
        json_text = publishable_json(outgoing.message)
        problems += [p for p in [size_problem(json_text, outgoing, sender.channel)] if p]
        wire = delivered(json_text, outgoing, publisher=publisher, message=decoded,
                         sender=sender)
        again = differences_from(decoded, decode_raw(converter, wire))
    except CaseIgnored as ignored:
        again = [f"the converter ignored its own message: {ignored}"]
    except CaseFailed as failure:
        again = [str(failure)]
    problems += [f"re-encoding and decoding again: {problem}" for problem in again]
    if problems:
        return CheckResult(name, False, f"{seen}; " + "; ".join(problems) + notes)
    return CheckResult(name, True, f"{seen}; re-encodes to the same message{notes}")


def load_sample(path: Path) -> Sample:
    """Read one sample file: exactly one JSON payload (a top-level array is one payload,
    since PubNub messages may be arrays), or an envelope around one."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SampleError(f"Sample file '{path}' does not exist.") from None
    except OSError as exc:
        raise SampleError(f"Cannot read sample file '{path}': {exc.strerror}.") from None
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("the file starts with a UTF-8 byte order mark, which was skipped: "
                     "PubNub messages never carry one")
    text = _utf8(data, path)
    if not text.strip():
        raise SampleError(f"Sample file '{path}' is empty: it should hold one JSON "
                          "payload, as your customers' app publishes it.")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SampleError(_not_json(path, text, exc)) from None
    sample = _enveloped(path, payload) or Sample(path.name, payload)
    if (hint := _double_encoded(sample.payload)) is not None:
        notes.append(hint)
    return Sample(**{**vars(sample), "notes": tuple(notes)})


def _utf8(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        hint = " (it looks like UTF-16: save it as UTF-8)" if utf16 else ""
        raise SampleError(f"Sample file '{path}' is not UTF-8 text{hint}.") from None


def _not_json(path: Path, text: str, exc: json.JSONDecodeError) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if exc.msg == "Extra data" and len(lines) > 1 and all(_parses(line) for line in lines):
        return (f"Sample file '{path}' holds {len(lines)} JSON values, one per line "
                "(NDJSON): a sample file holds one payload, so put each in a file of "
                "its own.")
    if exc.msg == "Extra data":
        return (f"Sample file '{path}' holds more than one JSON value (the second starts "
                f"at line {exc.lineno}, column {exc.colno}): a sample file holds one "
                "payload.")
    hint = " (JSON strings take double quotes)" if "'" in text and '"' not in text else ""
    return (f"Sample file '{path}' is not JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}{hint}.")


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _double_encoded(payload: Any) -> str | None:
    if not isinstance(payload, str):
        return None
    try:
        inner = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(inner, (dict, list)):
        return None
    return ("the payload is a JSON string holding JSON (double-encoded): PubNub delivers "
            "that string, not the object in it; if the app publishes it so, the "
            "converter must parse the string, else decode the file's JSON once")


def _enveloped(path: Path, payload: Any) -> Sample | None:
    """A sample given as ``{"message": …, "publisher": …, "timetoken": …, "meta": …,
    "custom_message_type": …}`` (or a history item, with ``uuid``); None if bare."""
    if not isinstance(payload, dict) or "message" not in payload \
            or not set(payload) <= ENVELOPE_KEYS \
            or not set(payload) & {"publisher", "uuid", "timetoken"}:
        return None
    publisher = payload.get("publisher", payload.get("uuid"))
    timetoken = payload.get("timetoken")
    meta = payload.get("meta", payload.get("user_metadata"))
    cmt, channel = payload.get("custom_message_type"), payload.get("channel")
    where = f"Sample file '{path}' has an envelope whose"
    if publisher is not None and not isinstance(publisher, str):
        raise SampleError(f"{where} publisher is not a string.")
    if isinstance(timetoken, str) and timetoken.isdigit():
        timetoken = int(timetoken)  # fetch_messages answers timetokens as strings
    if timetoken is not None and (isinstance(timetoken, bool) or not isinstance(timetoken, int)):
        raise SampleError(f"{where} timetoken is not a whole number like 17641296001234560.")
    if meta in ("", None):
        meta = None
    elif not isinstance(meta, dict):
        raise SampleError(f"{where} meta is not a JSON object.")
    if cmt is not None and not isinstance(cmt, str):
        raise SampleError(f"{where} custom_message_type is not a string.")
    if channel is not None and not isinstance(channel, str):
        raise SampleError(f"{where} channel is not a string.")
    return Sample(path.name, payload["message"], publisher, timetoken, meta, cmt, channel)
