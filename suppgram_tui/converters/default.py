"""Suppgram's own JSON format, byte for byte, with fast reading of its timestamps."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from suppgram_tui.model import Message

from .base import (
    MessageConverter,
    UndecodableMessage,
    WireMessage,
    normalize_message,
    parse_kind,
    short_repr,
)

SUPPGRAM_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


class DefaultMessageConverter(MessageConverter):
    """Suppgram's format: ``{"kind": ..., "time": ..., "text": ...}``, in that key order."""

    def convert_from_pubnub(self, message: WireMessage) -> Message:
        payload = message.message
        if not isinstance(payload, dict):
            raise UndecodableMessage(
                f"expected a JSON object with 'kind' and 'time', got {_json_type(payload)}"
            )
        text = payload.get("text")
        if text is not None and not isinstance(text, str):
            raise UndecodableMessage(f"'text' is {_json_type(text)}, not a string")
        return Message(
            kind=parse_kind(_required_string(payload, "kind")),
            time_utc=_parse_time(_required_string(payload, "time")),
            text=text,
        )

    def convert_to_pubnub(self, message: Message) -> Any:
        message = normalize_message(message)
        if message.image is not None:
            raise ValueError(
                "Suppgram's JSON format cannot carry images; use a custom converter for them"
            )
        return {
            "kind": message.kind.value,
            "time": message.time_utc.strftime(SUPPGRAM_TIME_FORMAT),
            "text": message.text,
        }


def _required_string(payload: dict[str, Any], key: str) -> str:
    if key not in payload:
        raise UndecodableMessage(f"the message has no {key!r}")
    value = payload[key]
    if not isinstance(value, str):
        raise UndecodableMessage(f"{key!r} is {_json_type(value)}, not a string")
    return value


_CANONICAL_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})([+-])(\d\d)(\d\d)")
"""Exactly what Suppgram writes (SUPPGRAM_TIME_FORMAT with six digits and +HHMM)."""


_ZONES: dict[str, timezone] = {}
"""`+HHMM` -> its timezone, for the offsets already met (at most 2 x 100 x 100)."""


def _parse_time(value: str) -> datetime:
    # strptime is a third of the cost of receiving a message: read the one shape every
    # Suppgram client writes directly, and leave anything else to strptime
    canonical = _CANONICAL_TIME.fullmatch(value)
    if canonical is not None:
        year, month, day, hour, minute, second, micro, sign, hours, minutes = canonical.groups()
        try:
            zone = _ZONES.get(value[-5:])
            if zone is None:
                offset = timedelta(hours=int(hours), minutes=int(minutes))
                zone = _ZONES[value[-5:]] = timezone(-offset if sign == "-" else offset)
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                              int(second), int(micro), tzinfo=zone)
        except ValueError:  # out of range: strptime says what is wrong
            pass
        else:
            return moment if zone is timezone.utc else moment.astimezone(timezone.utc)
    try:
        return datetime.strptime(value, SUPPGRAM_TIME_FORMAT).astimezone(timezone.utc)
    except ValueError:
        pass
    if _parses(value, SUPPGRAM_TIME_FORMAT.removesuffix("%z")):
        raise UndecodableMessage(f"'time' {short_repr(value)} has no UTC offset")
    raise UndecodableMessage(
        f"'time' {short_repr(value)} is not a timestamp like 2026-11-26T04:00:00.000000+0000"
    )


def _parses(value: str, time_format: str) -> bool:
    try:
        datetime.strptime(value, time_format)
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
