"""The contract check behind ``suppgram-tui check-converter``: does a converter's JSON
survive the trip to PubNub and back?

Each case sends a ``Message`` through ``convert_to_pubnub``, serialises it as the PubNub
SDK does, checks it fits one publish, parses it again and hands it to
``convert_from_pubnub`` in the envelope the console would build. The reason of a failure
says what differed, in words. No Textual, no PubNub here: a CI job runs it headless.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from suppgram_tui.model import Message, MessageKind

from .base import (
    ConverterLike,
    UndecodableMessage,
    WireMessage,
    describe_error,
    normalize_message,
)
from .differences import describe_message, differences, field_differences, image_difference

PUBLISH_LIMIT_BYTES = 32 * 1024
"""PubNub's publish limit, counted on the URL-encoded channel and JSON."""
ENVELOPE_BYTES = 100
"""What PubNub adds to the count for the rest of the request (its support article's ~100)."""
CHECK_CHANNEL = "check-support"
CHECK_PUBLISHER = "check-customer"
CHECK_TIMETOKEN = 17640000000000000

_SENT_AT = datetime(2026, 11, 26, 4, 0, 0, 123456, tzinfo=timezone.utc)
_PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63f8dfc0f01f000680027f104c1be10000000049454e44ae426082"
)
_LONG_TEXT = ("My order has not arrived yet and the tracking page shows nothing new.\n" * 143)[
    :10_000
]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one case; ``passed`` is False only for a real failure."""

    name: str
    passed: bool
    reason: str = ""
    """What differed or went wrong; for a pass, what was seen (may be empty)."""
    skipped: bool = False
    """The case does not apply to this converter (it sends no images): a warning."""


@dataclass(frozen=True)
class CheckCase:
    """One message of the built-in corpus."""

    name: str
    message: Message


@dataclass(frozen=True)
class Sample:
    """One payload as the customer's app publishes it, read from a file."""

    name: str
    payload: Any


class SampleError(ValueError):
    """A sample file that cannot be read as JSON; the text is one sentence."""


class _CaseFailed(Exception):
    """Stops a case early; the text is the reason."""


def check_converter(
    converter: ConverterLike, samples: Sequence[Sample] = ()
) -> list[CheckResult]:
    """Run the built-in corpus, then every sample, through ``converter``."""
    results = [check_case(converter, case) for case in builtin_corpus()]
    return results + [check_sample(converter, sample) for sample in samples]


def builtin_corpus() -> list[CheckCase]:
    """Every kind, empty and missing text, long text, Unicode, time zones and an image."""
    kinds = [
        CheckCase("from_customer", _message(MessageKind.FROM_CUSTOMER, "hello")),
        CheckCase("from_agent", _message(MessageKind.FROM_AGENT, "Hi! How can I help?")),
        CheckCase("postponed, no text", _message(MessageKind.POSTPONED, None)),
        CheckCase("resolved, no text", _message(MessageKind.RESOLVED, None)),
        CheckCase("rated", _message(MessageKind.RATED, "5")),
        CheckCase("empty text from customer", _message(MessageKind.FROM_CUSTOMER, "")),
        CheckCase("empty text from agent", _message(MessageKind.FROM_AGENT, "")),
        CheckCase(f"long text ({len(_LONG_TEXT):,} characters)",
                  _message(MessageKind.FROM_CUSTOMER, _LONG_TEXT)),
    ]
    texts = [
        ("emoji", "Thanks 👍🏽 👨‍👩‍👧 🎉 🇮🇳"),
        ("right-to-left", "مرحبا، أين طلبي؟ שלום, איפה ההזמנה שלי?"),
        ("combining marks", "Cafe\u0301 n\u0303 Z\u0351\u0337a\u0310l\u0334g\u0352o"),
        ("CJK", "您好，我的订单在哪里？ 注文はどこですか？ 주문은 어디에 있나요?"),
        ("JSON-special characters", 'line one\nline two\t"quoted" \\ back\\slash </script>'),
    ]
    unicode_cases = [
        CheckCase(name, _message(MessageKind.FROM_CUSTOMER, text)) for name, text in texts
    ]
    zones = [
        ("time zone UTC", _SENT_AT),
        ("time zone +05:30",
         datetime(2026, 11, 26, 9, 30, 0, 123456, timezone(timedelta(hours=5, minutes=30)))),
        ("time zone -08:00",
         datetime(2026, 12, 31, 20, 0, 0, 654321, timezone(timedelta(hours=-8)))),
    ]
    zone_cases = [CheckCase(name, _message_at(time)) for name, time in zones]
    image = Message(MessageKind.FROM_CUSTOMER, _SENT_AT, None, _PNG_1X1, "image/png")
    return kinds + unicode_cases + zone_cases + [CheckCase("image (PNG, no text)", image)]


def check_case(converter: ConverterLike, case: CheckCase) -> CheckResult:
    """Send one corpus message to PubNub and back; it must come back the same."""
    sent = case.message
    try:
        payload = converter.convert_to_pubnub(sent)
    except Exception as exc:
        if sent.image is not None:
            reason = f"images not supported: convert_to_pubnub raised {describe_error(exc)}"
            return CheckResult(case.name, passed=True, reason=reason, skipped=True)
        return CheckResult(case.name, False, f"convert_to_pubnub raised {describe_error(exc)}")
    try:
        json_text = publishable_json(payload)
        problems = [p for p in [size_problem(json_text)] if p]
        problems += _differences(sent, decode_raw(converter, json.loads(json_text)))
    except _CaseFailed as failure:
        return CheckResult(case.name, False, str(failure))
    if sent.image is not None and problems == [image_difference(sent.image, None)]:
        reason = f"images not supported: the image was dropped silently ({problems[0]})"
        return CheckResult(case.name, passed=True, reason=reason, skipped=True)
    if problems:
        return CheckResult(case.name, False, "; ".join(problems))
    return CheckResult(case.name, True, f"publishes {_size_words(json_text)}")


def check_sample(converter: ConverterLike, sample: Sample) -> CheckResult:
    """A customer's payload must decode; re-encoding it and decoding again must give the
    same message."""
    name = f"sample {sample.name}"
    try:
        decoded = _as_message(decode_raw(converter, sample.payload))
    except _CaseFailed as failure:
        return CheckResult(name, False, f"does not decode: {failure}")
    seen = f"decoded {describe_message(decoded)}"
    problems = [p for p in [size_problem(json.dumps(sample.payload))] if p]
    try:
        payload = converter.convert_to_pubnub(decoded)
    except Exception as exc:
        if decoded.image is not None and not problems:
            reason = f"{seen}; images not supported: convert_to_pubnub raised {describe_error(exc)}"
            return CheckResult(name, passed=True, reason=reason, skipped=True)
        problems.append(f"re-encoding it, convert_to_pubnub raised {describe_error(exc)}")
        return CheckResult(name, False, f"{seen}; " + "; ".join(problems))
    try:
        json_text = publishable_json(payload)
        problems += [p for p in [size_problem(json_text)] if p]
        again = _differences(decoded, decode_raw(converter, json.loads(json_text)))
    except _CaseFailed as failure:
        again = [str(failure)]
    problems += [f"re-encoding and decoding again: {problem}" for problem in again]
    if problems:
        return CheckResult(name, False, f"{seen}; " + "; ".join(problems))
    return CheckResult(name, True, f"{seen}; re-encodes to the same message")


def load_sample(path: Path) -> Sample:
    """Read one sample file: exactly one JSON payload (a top-level array is one payload,
    since PubNub messages may be arrays)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SampleError(f"Sample file '{path}' does not exist.") from None
    except UnicodeDecodeError:
        raise SampleError(f"Sample file '{path}' is not UTF-8 text.") from None
    except OSError as exc:
        raise SampleError(f"Cannot read sample file '{path}': {exc.strerror}.") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SampleError(
            f"Sample file '{path}' is not JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from None
    return Sample(path.name, payload)


def publishable_json(payload: Any) -> str:
    """The JSON text the PubNub SDK would send (its ``json.dumps`` defaults), refusing
    what is not JSON: no ``default=`` hook, no NaN."""
    try:
        return json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise _CaseFailed(
            f"convert_to_pubnub returned data that is not JSON-serialisable: {describe_error(exc)}"
        ) from exc


def publish_size(json_text: str, channel: str = CHECK_CHANNEL) -> int:
    """Bytes PubNub counts against its limit: URL-encoded channel and message plus the
    envelope, as the SDK encodes them."""
    return len(quote(channel, safe="")) + len(quote(json_text, safe="~")) + ENVELOPE_BYTES


def size_problem(json_text: str) -> str | None:
    size = publish_size(json_text)
    if size <= PUBLISH_LIMIT_BYTES:
        return None
    return (
        f"outgoing JSON is too big to publish: {size:,} bytes once URL-encoded with the "
        f"channel and envelope, over PubNub's 32 KiB limit ({PUBLISH_LIMIT_BYTES:,} bytes)"
    )


def decode_raw(converter: ConverterLike, payload: Any) -> Any:
    """What ``convert_from_pubnub`` returned for ``payload``, or the ``Message`` it tried
    to build when our model refused it (a naive time), so the reason can say what differed."""
    wire = WireMessage(message=payload, channel=CHECK_CHANNEL, publisher=CHECK_PUBLISHER,
                       timetoken=CHECK_TIMETOKEN, user_metadata=None)
    try:
        return converter.convert_from_pubnub(wire)
    except UndecodableMessage as exc:
        raise _CaseFailed(f"convert_from_pubnub found it undecodable: {exc}") from exc
    except Exception as exc:
        refused = _message_refused_by_model(exc)
        if refused is None:
            raise _CaseFailed(f"convert_from_pubnub raised {describe_error(exc)}") from exc
        return refused


def _differences(sent: Message, raw: Any) -> list[str]:
    """What changed between ``sent`` and what the converter returned, in words; ``raw``
    may hold a naive time, which ``Message`` itself would refuse."""
    raw_time = getattr(raw, "time_utc", None)
    if isinstance(raw_time, datetime) and raw_time.utcoffset() is None:
        lost = f"time lost its time zone: sent {sent.time_utc}, got naive {raw_time}"
        rest = _as_message(_with_time(raw, raw_time.replace(tzinfo=timezone.utc)))
        return [lost, *field_differences(sent, rest)]
    got = _as_message(raw)
    return differences(sent, got, got_time=raw_time if isinstance(raw_time, datetime) else None)


def _as_message(raw: Any) -> Message:
    try:
        return normalize_message(raw)
    except UndecodableMessage as exc:
        raise _CaseFailed(f"convert_from_pubnub returned no valid message: {exc}") from exc


def _message_refused_by_model(exc: BaseException) -> Any | None:
    """Our ``Message`` rejects a naive time in its constructor, so a converter that lost
    the zone raises instead of returning; recover the record it was building."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or tb.tb_frame.f_code is not Message.__post_init__.__code__:
        return None
    return tb.tb_frame.f_locals.get("self")


def _with_time(raw: Any, time: datetime) -> SimpleNamespace:
    fields = ("kind", "text", "image", "image_mime")
    return SimpleNamespace(time_utc=time, **{name: getattr(raw, name, None) for name in fields})


def _message(kind: MessageKind, text: str | None) -> Message:
    return Message(kind, _SENT_AT, text)


def _message_at(time: datetime) -> Message:
    """A message whose time keeps its UTC offset. ``Message`` normalises to UTC, but
    Suppgram's does not and customers' apps send local offsets, so a converter must keep
    the instant whatever the offset it is given."""
    message = Message(MessageKind.FROM_CUSTOMER, time, "What time is it there?")
    object.__setattr__(message, "time_utc", time)
    return message


def _size_words(json_text: str) -> str:
    return f"{publish_size(json_text):,} of {PUBLISH_LIMIT_BYTES:,} bytes"
