"""The contract check behind ``suppgram-tui check-converter``: does a converter's JSON
survive the trip to PubNub and back?

Each case sends a ``Message`` through ``convert_to_pubnub`` as its sender would publish
it (agents' kinds as a console reply, with its meta), serialises it as the PubNub SDK
does, checks it fits one publish, parses it again and hands it to
``convert_from_pubnub`` in the envelope PubNub would deliver: from that sender, at the
message's own instant, with the meta and custom message type as published. The reason
of a failure says which field differed, in words. Sample files are checked in
``samples``. No Textual, no PubNub here: a CI job runs it headless.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from suppgram_tui.model import Message, MessageKind

from .base import (
    ConverterLike,
    IgnoredMessage,
    UndecodableMessage,
    WireMessage,
    describe_error,
    ignored_reason,
    normalize_message,
)
from .differences import differences, field_differences, image_difference
from .envelope import OutgoingMessage, Sender, delivered, publication
from .guard import HANGS_BEFORE_SKIPPING, ConverterFailed, call_converter

if TYPE_CHECKING:
    from .samples import Sample

PUBLISH_LIMIT_BYTES = 32 * 1024
"""PubNub's publish limit, counted on the URL-encoded channel, JSON and meta."""
ENVELOPE_BYTES = 100
"""What PubNub adds to the count for the rest of the request (its support article's ~100)."""
CHECK_SENDER = Sender()
"""Who sends what when nothing else is said: support user ``support``, as the console's
default ``--pubnub-user-id``, and customer ``check-customer``."""
CHECK_CHANNEL = CHECK_SENDER.channel
OPTIONAL_KINDS = {MessageKind.RATED: "ratings"}
"""Kinds a converter may not know: Suppgram's ``MessageKind`` has no ``rated``. Such a
converter is skipped on them, with a note, and the simulator does not send them."""

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
    """The case does not apply to this converter (no images, no ratings): a warning."""
    hung: bool = False
    """A converter call did not finish in time (2 s)."""


@dataclass(frozen=True)
class CheckCase:
    """One message of the built-in corpus."""

    name: str
    message: Message


class CaseFailed(Exception):
    """Stops a case early; the text is the reason."""


class CaseIgnored(CaseFailed):
    """``convert_from_pubnub`` said the message is no chat message; the text is why."""


def check_converter(converter: ConverterLike, samples: Sequence[Sample] = (), *,
                    sender: Sender = CHECK_SENDER, streak: HangStreak | None = None
                    ) -> list[CheckResult]:
    """Run the built-in corpus, then every sample, through ``converter``; ``streak``
    carries hangs on to cases checked after these."""
    from .samples import check_sample

    streak = streak or HangStreak()
    results = [streak.run(case.name, partial(check_case, converter, case, sender))
               for case in builtin_corpus()]
    return results + [streak.run(f"sample {sample.name}",
                                 partial(check_sample, converter, sample, sender))
                      for sample in samples]


class HangStreak:
    """After `HANGS_BEFORE_SKIPPING` cases in a row hang, the rest are not tried, as
    the inbox stops asking: a hanging converter must not cost 2 s for every case."""

    def __init__(self) -> None:
        self.hangs = 0

    def run(self, name: str, check: Callable[[], CheckResult]) -> CheckResult:
        if self.hangs >= HANGS_BEFORE_SKIPPING:
            return CheckResult(name, True, f"not tried: the converter hung on "
                               f"{HANGS_BEFORE_SKIPPING} cases in a row; fix it and run "
                               "the check again", skipped=True)
        result = check()
        self.hangs = self.hangs + 1 if result.hung else 0
        return result


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
        ("common symbols", "5 € or £4 — Grüße 🙂 好"),
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


def check_case(converter: ConverterLike, case: CheckCase,
               sender: Sender = CHECK_SENDER) -> CheckResult:
    """Send one corpus message to PubNub and back; it must come back the same."""
    sent = case.message
    try:
        outgoing, publisher = publication(converter, sent, sender)
    except ConverterFailed as failed:
        why = str(failed)
        if failed.hung:
            return CheckResult(case.name, False, why, hung=True)
        if failed.returned:  # it encoded, into something no app could receive
            return CheckResult(case.name, False, why)
        if sent.image is not None:
            return CheckResult(case.name, True, f"images not supported: {why}", skipped=True)
        return _unknown_kind(case.name, sent, why) or CheckResult(case.name, False, why)
    try:
        json_text = publishable_json(outgoing.message)
        problems = [p for p in [size_problem(json_text, outgoing, sender.channel)] if p]
        wire = delivered(json_text, outgoing, publisher=publisher, message=sent,
                         sender=sender)
    except CaseFailed as failure:
        return CheckResult(case.name, False, str(failure))
    try:
        problems += differences_from(sent, decode_raw(converter, wire))
    except CaseIgnored as ignored:
        why = f"convert_from_pubnub ignored it: {ignored}"
        return _unknown_kind(case.name, sent, why) or CheckResult(case.name, False, why)
    except CaseFailed as failure:
        if hung(failure):
            return CheckResult(case.name, False, str(failure), hung=True)
        return _unknown_kind(case.name, sent, str(failure)) or CheckResult(
            case.name, False, str(failure))
    if sent.image is not None and problems == [image_difference(sent.image, None)]:
        reason = f"images not supported: the image was dropped silently ({problems[0]})"
        return CheckResult(case.name, passed=True, reason=reason, skipped=True)
    if problems:
        return CheckResult(case.name, False, "; ".join(problems))
    return CheckResult(case.name, True,
                       f"publishes {_size_words(json_text, outgoing, sender.channel)}")


def hung(failure: CaseFailed) -> bool:
    """Whether the case failed because a converter call did not finish in time."""
    cause = failure.__cause__
    return isinstance(cause, ConverterFailed) and cause.hung


def _unknown_kind(name: str, sent: Message, why: str) -> CheckResult | None:
    """A skip for a kind a converter may not know (Suppgram's enum lacks it), or None
    when the failure is a real one."""
    what = OPTIONAL_KINDS.get(sent.kind)
    if what is None:
        return None
    return CheckResult(name, True, skipped=True, reason=(
        f"{what} not supported: {why}. Suppgram's MessageKind has no {sent.kind.value!r}: "
        f"the console shows such messages as undecodable, and the simulator does not "
        f"send {what} with this converter"))


def kind_supported(converter: ConverterLike, kind: MessageKind,
                   sender: Sender = CHECK_SENDER) -> str | None:
    """None when ``converter`` carries ``kind`` there and back; else why not, in words."""
    case = next(case for case in builtin_corpus() if case.message.kind is kind)
    result = check_case(converter, case, sender)
    return None if result.passed and not result.skipped else result.reason


def publishable_json(payload: Any, what: str = "data") -> str:
    """The JSON text the PubNub SDK would send (its ``json.dumps`` defaults), refusing
    what is not JSON: no ``default=`` hook, no NaN."""
    try:
        return json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise CaseFailed(
            f"convert_to_pubnub returned {what} that is not JSON-serialisable: "
            f"{describe_error(exc)}"
        ) from exc


def publish_size(json_text: str, channel: str = CHECK_CHANNEL, meta_json: str | None = None
                 ) -> int:
    """Bytes PubNub counts against its limit: URL-encoded channel, message and meta plus
    the envelope, as the SDK encodes them."""
    meta = len(quote(meta_json, safe="~")) if meta_json else 0
    return len(quote(channel, safe="")) + len(quote(json_text, safe="~")) + meta \
        + ENVELOPE_BYTES


def size_problem(json_text: str, outgoing: OutgoingMessage | None = None,
                 channel: str = CHECK_CHANNEL) -> str | None:
    size = publish_size(json_text, channel, _meta_json(outgoing))
    if size <= PUBLISH_LIMIT_BYTES:
        return None
    return (
        f"outgoing JSON is too big to publish: {size:,} bytes once URL-encoded with the "
        f"channel{', meta' if _meta_json(outgoing) else ''} and envelope, over PubNub's "
        f"32 KiB limit ({PUBLISH_LIMIT_BYTES:,} bytes)"
    )


def _meta_json(outgoing: OutgoingMessage | None) -> str | None:
    if outgoing is None or not outgoing.meta:
        return None
    return publishable_json(outgoing.meta, "meta")


def decode_raw(converter: ConverterLike, wire: WireMessage) -> Any:
    """What ``convert_from_pubnub`` returned for ``wire``, or the ``Message`` it tried
    to build when our model refused it (a naive time), so the reason can say what
    differed. ``CaseIgnored`` when the converter ignored the message."""
    try:
        result = call_converter(converter, "convert_from_pubnub", wire,
                                passing=(IgnoredMessage, UndecodableMessage))
    except IgnoredMessage as exc:
        raise CaseIgnored(ignored_reason(exc)) from exc
    except UndecodableMessage as exc:
        raise CaseFailed(f"convert_from_pubnub found it undecodable: {exc}") from exc
    except ConverterFailed as failed:
        refused = _message_refused_by_model(failed.cause) if failed.cause else None
        if refused is None:
            raise CaseFailed(str(failed)) from failed
        return refused
    if result is None:
        raise CaseIgnored("the converter returned None")
    return result


def differences_from(sent: Message, raw: Any) -> list[str]:
    """What changed between ``sent`` and what the converter returned, in words; ``raw``
    may hold a naive time, which ``Message`` itself would refuse."""
    raw_time = getattr(raw, "time_utc", None)
    if isinstance(raw_time, datetime) and raw_time.utcoffset() is None:
        lost = f"time lost its time zone: sent {sent.time_utc}, got naive {raw_time}"
        rest = as_message(_with_time(raw, raw_time.replace(tzinfo=timezone.utc)))
        return [lost, *field_differences(sent, rest)]
    got = as_message(raw)
    return differences(sent, got, got_time=raw_time if isinstance(raw_time, datetime) else None)


def as_message(raw: Any) -> Message:
    try:
        return normalize_message(raw)
    except UndecodableMessage as exc:
        raise CaseFailed(f"convert_from_pubnub returned no valid message: {exc}") from exc


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


def _size_words(json_text: str, outgoing: OutgoingMessage, channel: str) -> str:
    size = publish_size(json_text, channel, _meta_json(outgoing))
    return f"{size:,} of {PUBLISH_LIMIT_BYTES:,} bytes"
