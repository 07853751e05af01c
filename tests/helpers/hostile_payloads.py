"""Payloads a hostile or broken customer app may publish, and what the console must show.

Each case names the payload and what the console shows for it: the message text when
it decodes, or `RAW` when it is undecodable and shown as its raw JSON. Payloads the
Python SDK refuses to publish (JSON null) go out through a raw HTTP publish instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TIME = "2026-11-26T04:00:00.000000+0000"
RAW = None
IGNORED = "<ignored>"
"""The converter said it is no chat message: set aside, seen only in the raw view."""


@dataclass(frozen=True)
class Case:
    label: str
    payload: Any
    shows: str | None
    """The text shown, or RAW: undecodable, shown as raw JSON."""
    raw_http: bool = False
    """Published with a hand-made HTTP request: the SDK refuses this payload."""


def msg(text: Any, **fields: Any) -> dict[str, Any]:
    return {"kind": "from_customer", "time": TIME, "text": text, **fields}


def nested_arrays(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def nested_objects(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


SENTENCE = ("lorem-ipsum-dolor-sit-amet.consectetur-adipiscing-elit.sed-do-eiusmod-tempor-"
            "incididunt-ut-labore-et-dolore-magna-aliqua.ut-enim-ad-minim-veniam.quis-nostrud-"
            "exercitation-ullamco-laboris ")
LONG_TEXT = ("31-KB-of-text " + SENTENCE * 200)[:31 * 1024]
"""31 KiB that still fits PubNub's 32 KiB publish limit once URL-escaped (few spaces)."""

CASES: list[Case] = [
    # JSON that is not an object
    Case("a string", "just a string", RAW),
    Case("an empty string", "", RAW),
    Case("zero", 0, RAW),
    Case("a negative float", -1.5, RAW),
    Case("true", True, RAW),
    Case("false", False, RAW),
    Case("an empty array", [], RAW),
    Case("a mixed array", [1, "two", None, {"three": 3}], RAW),
    Case("null", None, RAW, raw_http=True),
    Case("an empty object", {}, RAW),
    Case("a message inside an array", [msg("inside an array")], RAW),
    # huge and tiny numbers
    Case("a 301-digit integer", 10**300, RAW),
    Case("a negative 301-digit integer", -(10**300), RAW),
    Case("the largest float", 1.7976931348623157e308, RAW),
    Case("the smallest float", 5e-324, RAW),
    Case("an id beyond 64 bits", msg("big id", id=2**64 + 1), "big id"),
    # nulls, missing and wrong-typed fields
    Case("every field null", {"kind": None, "time": None, "text": None}, RAW),
    Case("no time", {"kind": "from_customer", "text": "no time"}, RAW),
    Case("no kind", {"time": TIME, "text": "no kind"}, RAW),
    Case("null text", msg(None), ""),
    Case("no text", {"kind": "from_customer", "time": TIME}, ""),
    Case("a numeric kind", msg("x", kind=5), RAW),
    Case("a list as kind", msg("x", kind=["from_customer"]), RAW),
    Case("an unknown kind", msg("x", kind="nonsense"), RAW),
    Case("an upper-case kind", msg("x", kind="FROM_CUSTOMER"), RAW),
    Case("a numeric text", msg(12), RAW),
    Case("a list as text", msg(["a", "b"]), RAW),
    Case("an object as text", msg({"nested": True}), RAW),
    # bad and naive timestamps
    Case("unix seconds as time", msg("epoch", time=1732593600), RAW),
    Case("a word as time", msg("bad time", time="yesterday"), RAW),
    Case("a naive time", msg("naive", time="2026-11-26T04:00:00.000000"), RAW),
    Case("an impossible date", msg("feb 30", time="2026-02-30T04:00:00.000000+0000"), RAW),
    Case("an empty time", msg("empty time", time=""), RAW),
    Case("ISO time without microseconds", msg("iso", time="2026-11-26T04:00:00+00:00"), RAW),
    Case("a time past year 9999 in UTC",
         msg("overflow", time="9999-12-31T23:59:59.999999-2359"), RAW),
    Case("a time before year 1 in UTC",
         msg("underflow", time="0001-01-01T00:00:00.000000+2359"), RAW),
    Case("the last instant there is",
         msg("end of time", time="9999-12-31T23:59:59.999999+0000"), "end of time"),
    Case("the first instant there is",
         msg("start of time", time="0001-01-01T00:00:00.000000+0000"), "start of time"),
    # deep nesting
    Case("200 nested arrays", nested_arrays(200), RAW),
    Case("200 nested objects", nested_objects(200), RAW),
    Case("900 nested arrays", nested_arrays(900), RAW),
    # size and scripts
    Case("31 KB of text", msg(LONG_TEXT), LONG_TEXT),
    Case("zero-width characters", msg("zero\u200bwidth\u200c\u200d\u2060\ufeffjoin"),
         "zero\u200bwidth\u200c\u200d\u2060\ufeffjoin"),
    Case("right-to-left text", msg("مرحبا بالعالم — שלום עולם"), "مرحبا بالعالم — שלום עולם"),
    Case("bidi overrides", msg("invoice\u202etxt.exe\u202c \u2066iso\u2069 \u200f\u061c!"),
         "invoice\u202etxt.exe\u202c \u2066iso\u2069 \u200f\u061c!"),
    Case("a pile of combining marks", msg("Z" + "\u0336\u0301\u0315" * 100),
         "Z" + "\u0336\u0301\u0315" * 100),
    Case("emoji and CJK", msg("😀👍🏽 漢字 한국어"), "😀👍🏽 漢字 한국어"),
    # markup
    Case("Rich markup", msg("[bold]loud[/bold] [/] [red]red"), "[bold]loud[/bold] [/] [red]red"),
    Case("a click action", msg("[@click=app.quit]quit[/]"), "[@click=app.quit]quit[/]"),
    Case("Textual variables", msg("$accent $text-muted $primary"),
         "$accent $text-muted $primary"),
    Case("link markup", msg("[link=https://evil.example]click[/link]"),
         "[link=https://evil.example]click[/link]"),
    Case("emoji codes", msg(":smile: :warning:"), ":smile: :warning:"),
    Case("escaped brackets", msg("\\[not markup] \\\\[bold]"), "\\[not markup] \\\\[bold]"),
    # ANSI escape sequences
    Case("clear screen", msg("\x1b[2J\x1b[3J\x1b[H cleared"), "\x1b[2J\x1b[3J\x1b[H cleared"),
    Case("SGR colours", msg("\x1b[31;1mred\x1b[0m \x1b[38;2;255;0;0mrgb"),
         "\x1b[31;1mred\x1b[0m \x1b[38;2;255;0;0mrgb"),
    Case("cursor moves", msg("\x1b[10;10H\x1b[5A\x1b[s\x1b[u\x1b[2K moved"),
         "\x1b[10;10H\x1b[5A\x1b[s\x1b[u\x1b[2K moved"),
    Case("terminal modes", msg("\x1b[?1049h\x1b[?25l\x1b[?1000h modes"),
         "\x1b[?1049h\x1b[?25l\x1b[?1000h modes"),
    Case("C1 controls", msg("\x9b31m C1 \x9d0;title\x9c \x85 \x8d"),
         "\x9b31m C1 \x9d0;title\x9c \x85 \x8d"),
    # OSC and DCS
    Case("an OSC title", msg("\x1b]0;pwned\x07 title"), "\x1b]0;pwned\x07 title"),
    Case("an OSC 8 hyperlink", msg("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"),
         "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"),
    Case("an OSC 52 clipboard write", msg("\x1b]52;c;ZXZpbA==\x07 clipboard"),
         "\x1b]52;c;ZXZpbA==\x07 clipboard"),
    Case("a DCS request", msg("\x1bP+q544e\x1b\\ dcs"), "\x1bP+q544e\x1b\\ dcs"),
    # NUL and other C0 controls
    Case("a NUL byte", msg("nul\x00byte"), "nul\x00byte"),
    Case("every C0 control and DEL", msg("".join(map(chr, range(32))) + "\x7f"),
         "".join(map(chr, range(32))) + "\x7f"),
    Case("bell, backspace, CR, VT, FF", msg("bell\x07\x07 bs\x08\x08 cr\r vt\x0b ff\x0c"),
         "bell\x07\x07 bs\x08\x08 cr\r vt\x0b ff\x0c"),
    # invalid UTF-16 (JSON allows the escapes)
    Case("a lone high surrogate", msg("lone \ud800 high"), "lone \ud800 high"),
    Case("a lone low surrogate", msg("lone \udfff low"), "lone \udfff low"),
    # hostile keys and customer-sent system kinds
    Case("escapes in keys", {"\x1b[2J": "\x1b]0;x\x07", "[bold]": "$accent", "\u202e": None},
         RAW),
    Case("a customer sending resolved", msg("please close", kind="resolved"), "please close"),
    Case("a rating with escapes", msg("5 \x1b[2J", kind="rated"),
         "★★★★★ rated 5/5: \x1b[2J"),
    # converters that misbehave (see CONVERTER_SOURCE)
    Case("a converter that raises", {"converter": "raise", "text": "\x1b[31mboom\x07"}, RAW),
    Case("a converter that recurses forever", {"converter": "recurse"}, RAW),
    Case("a converter returning a dict", {"converter": "dict"}, RAW),
    Case("a converter returning None", {"converter": "none"}, IGNORED),
    Case("a converter returning a string", {"converter": "str"}, RAW),
    Case("a converter returning a look-alike", {"converter": "shape"}, RAW),
    Case("a converter returning an object that raises", {"converter": "exploding"}, RAW),
    Case("a converter returning a number as text", {"converter": "int-text"}, RAW),
    Case("a converter returning bytes as text", {"converter": "bytes-text"}, RAW),
    Case("a converter returning a naive time", {"converter": "naive"}, RAW),
    Case("a converter returning the end of time", {"converter": "end-of-time"}, "end of time!"),
]

CONVERTER_SOURCE = '''
"""Suppgram's JSON, except where a payload asks this converter to misbehave."""

from datetime import datetime, timezone
from types import SimpleNamespace

from suppgram_tui.converters import DefaultMessageConverter
from suppgram_tui.model import Message, MessageKind

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)


class Exploding:
    @property
    def kind(self):
        raise RuntimeError("kind \\x1b[31mexploded\\x07")


def recurse(depth):
    return recurse(depth + 1)


class HostileConverter(DefaultMessageConverter):
    def convert_from_pubnub(self, message):
        payload = message.message
        act = payload.get("converter") if isinstance(payload, dict) else None
        if act == "raise":
            raise RuntimeError(payload.get("text"))
        if act == "recurse":
            return recurse(0)
        if act == "dict":
            return {"kind": "from_customer", "time": NOW, "text": "a dict"}
        if act == "none":
            return None
        if act == "str":
            return "from_customer"
        if act == "shape":
            return SimpleNamespace(kind=42, time_utc="yesterday", text="look-alike")
        if act == "exploding":
            return Exploding()
        if act == "int-text":
            return Message(MessageKind.FROM_CUSTOMER, NOW, text=42)
        if act == "bytes-text":
            return Message(MessageKind.FROM_CUSTOMER, NOW, text=b"bytes")
        if act == "naive":
            return SimpleNamespace(kind="from_customer", time_utc=datetime(2026, 1, 1),
                                   text="naive")
        if act == "end-of-time":
            return Message(MessageKind.FROM_CUSTOMER, datetime.max.replace(tzinfo=timezone.utc),
                           text="end of time!")
        return super().convert_from_pubnub(message)
'''
