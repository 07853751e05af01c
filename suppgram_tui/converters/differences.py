"""What differs between the message sent and the message a converter gave back, in words.

The rules live once: ``check-converter`` and the simulator's workbench both say what a
round trip changed with these sentences (a lost time zone, a cut text, a dropped image).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

from suppgram_tui.model import Message


def differences(sent: Message, got: Message, *, got_time: datetime | None = None) -> list[str]:
    """Everything that changed from ``sent`` to ``got``; empty when they are the same
    message. ``got_time`` is the time as the converter returned it, before ``Message``
    moved it to UTC, so the words show the offset the converter really produced."""
    time_problem = time_difference(sent.time_utc, got_time or got.time_utc)
    return ([time_problem] if time_problem else []) + field_differences(sent, got)


def changed_fields(sent: Message, got: Message) -> list[str]:
    """The names of the fields that differ, e.g. ``["time", "kind"]``."""
    pairs = [("kind", sent.kind, got.kind), ("time", sent.time_utc, got.time_utc),
             ("text", sent.text, got.text), ("image", sent.image, got.image)]
    return [name for name, a, b in pairs if a != b]


def describe_message(message: Message) -> str:
    """One line naming what a message holds."""
    words = f"{message.kind.value} at {message.time_utc}, text {_show(message.text)}"
    if message.image is not None:
        words += f", image of {len(message.image):,} bytes"
    return words


def field_differences(sent: Message, got: Message) -> list[str]:
    """Kind, text and image; time is compared by the caller, which knows its offset."""
    problems = []
    if got.kind is not sent.kind:
        problems.append(f"kind changed: sent {sent.kind.value!r}, got {got.kind.value!r}")
    if problem := text_difference(sent.text, got.text):
        problems.append(problem)
    if problem := image_difference(sent.image, got.image):
        problems.append(problem)
    return problems


def time_difference(sent: datetime, got: datetime) -> str | None:
    if got == sent:
        return None
    sent_utc, got_utc = sent.astimezone(timezone.utc), got.astimezone(timezone.utc)
    both = f"sent {sent}, got {got}"
    if sent_utc.replace(microsecond=0) == got_utc.replace(microsecond=0):
        lost = "its microseconds" if got_utc.microsecond == 0 else "sub-second precision"
        return f"time lost {lost}: {both}"
    offset = sent.utcoffset()
    if offset and got_utc - sent_utc == offset:
        return (f"time moved by its UTC offset ({_signed(offset)}): the offset was dropped "
                f"and the local time read as UTC: {both}")
    return f"time changed by {_signed(got_utc - sent_utc)}: {both}"


def text_difference(sent: str | None, got: str | None) -> str | None:
    if got == sent:
        return None
    if got is None:
        return f"text dropped: sent {_show(sent)}, got None"
    if sent is None:
        return f"text appeared: sent None, got {_show(got)}"
    if unicodedata.normalize("NFC", sent) == unicodedata.normalize("NFC", got):
        return (f"text changed its Unicode normalisation (combining marks composed or "
                f"split): sent {ascii(sent)}, got {ascii(got)}")
    if sent.startswith(got):
        return f"text cut to {len(got):,} of {len(sent):,} characters"
    at = _first_difference(sent, got)
    return (f"text changed at character {at + 1:,}: sent {_show(sent, at)}, "
            f"got {_show(got, at)}")


def _first_difference(sent: str, got: str) -> int:
    pairs = enumerate(zip(sent, got, strict=False))
    return next((i for i, (a, b) in pairs if a != b), min(len(sent), len(got)))


def image_difference(sent: bytes | None, got: bytes | None) -> str | None:
    if got == sent:
        return None
    if got is None:
        return f"image dropped: sent {len(sent or b''):,} bytes, got None"
    if sent is None:
        return f"image appeared: sent None, got {len(got):,} bytes"
    return f"image changed: sent {len(sent):,} bytes, got {len(got):,} different bytes"


def _show(text: str | None, at: int = 0, width: int = 40) -> str:
    """``repr`` of a text, or of a window of it around ``at`` when it is long."""
    if text is None or len(text) <= width:
        return repr(text)
    start = max(0, at - width // 4)
    window = repr(text[start:start + width])
    return f"{'…' if start else ''}{window}… ({len(text):,} characters)"


def _signed(delta: timedelta) -> str:
    return f"-{-delta}" if delta < timedelta(0) else f"+{delta}"
