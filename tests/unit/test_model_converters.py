"""Model records, Suppgram wire compatibility, and loading converters from files."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from suppgram_tui.converters import (
    DEFAULT_CONVERTER_PATH,
    ConverterLoadError,
    DefaultMessageConverter,
    MessageConverter,
    UndecodableMessage,
    WireMessage,
    decode_message,
    install_suppgram_alias,
    load_converter,
    normalize_message,
    reload_converter,
)
from suppgram_tui.model import (
    ConversationState,
    Message,
    MessageKind,
    MessageMediaKind,
)

NOON = datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=timezone.utc)


def wire(payload: Any, *, publisher: str | None = "customer-1") -> WireMessage:
    return WireMessage(
        message=payload, channel="support.customer-1", publisher=publisher, timetoken=1
    )


@pytest.fixture
def converter_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path for converter files; modules imported from it, and any
    suppgram alias installed meanwhile, are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    from suppgram_tui.converters.loading import _SuppgramAlias

    # an alias another test installed must not hide the fake Suppgram these tests write
    monkeypatch.setattr(sys, "meta_path", [finder for finder in sys.meta_path
                                           if not isinstance(finder, _SuppgramAlias)])
    for name in [n for n in sys.modules if n == "suppgram" or n.startswith("suppgram.")]:
        monkeypatch.delitem(sys.modules, name)
    yield tmp_path
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if name == "suppgram" or name.startswith("suppgram.") or file.startswith(str(tmp_path)):
            del sys.modules[name]


def write_module(directory: Path, name: str, source: str) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


# -- model --


def test_enum_values_are_suppgrams_wire_strings() -> None:
    assert [kind.value for kind in MessageKind] == [
        "from_customer",
        "from_agent",
        "postponed",
        "resolved",
        "rated",
    ]
    assert [state.value for state in ConversationState] == ["new", "assigned", "resolved"]


def test_message_normalises_time_to_utc_and_rejects_naive_time() -> None:
    moscow = timezone(timedelta(hours=3))
    message = Message(kind="from_agent", time_utc=datetime(2026, 11, 26, 15, tzinfo=moscow))
    assert message.kind is MessageKind.FROM_AGENT
    assert message.time_utc == datetime(2026, 11, 26, 12, tzinfo=timezone.utc)
    assert message.time_utc.tzinfo is timezone.utc
    with pytest.raises(ValueError, match="timezone-aware"):
        Message(kind=MessageKind.FROM_AGENT, time_utc=datetime(2026, 11, 26))


def test_media_kind_prefers_text_like_suppgram() -> None:
    assert Message(MessageKind.FROM_CUSTOMER, NOON).media_kind is MessageMediaKind.NONE
    image = Message(MessageKind.FROM_CUSTOMER, NOON, image=b"\x89PNG", image_mime="image/png")
    assert image.media_kind is MessageMediaKind.IMAGE
    both = Message(MessageKind.FROM_CUSTOMER, NOON, text="look", image=b"\x89PNG")
    assert both.media_kind is MessageMediaKind.TEXT


# -- Suppgram's JSON, byte for byte --


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            Message(MessageKind.FROM_AGENT, NOON, text="Hello! How can I help?"),
            '{"kind": "from_agent", "time": "2026-11-26T12:00:00.123456+0000", '
            '"text": "Hello! How can I help?"}',
        ),
        (
            Message(MessageKind.RESOLVED, NOON),
            '{"kind": "resolved", "time": "2026-11-26T12:00:00.123456+0000", "text": null}',
        ),
        (
            Message(MessageKind.FROM_CUSTOMER, NOON.replace(microsecond=0), text="привет"),
            '{"kind": "from_customer", "time": "2026-11-26T12:00:00.000000+0000", '
            '"text": "\\u043f\\u0440\\u0438\\u0432\\u0435\\u0442"}',
        ),
    ],
)
def test_default_converter_writes_suppgrams_json(message: Message, expected: str) -> None:
    assert json.dumps(DefaultMessageConverter().convert_to_pubnub(message)) == expected


def test_default_converter_reads_suppgrams_json() -> None:
    payload = json.loads(
        '{"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"}'
    )
    message = DefaultMessageConverter().convert_from_pubnub(wire(payload))
    assert message == Message(
        kind=MessageKind.FROM_CUSTOMER,
        time_utc=datetime(2026, 11, 26, 4, tzinfo=timezone.utc),
        text="hi",
    )


@pytest.mark.parametrize(
    "time_text",
    ["2026-11-26T07:00:00.000000+0300", "2026-11-26T04:00:00.000Z", "2026-11-26T04:00:00.0+00:00"],
)
def test_default_converter_reads_any_offset_as_utc(time_text: str) -> None:
    payload = {"kind": "from_customer", "time": time_text}
    message = DefaultMessageConverter().convert_from_pubnub(wire(payload))
    assert message.time_utc == datetime(2026, 11, 26, 4, tzinfo=timezone.utc)
    assert message.text is None


def test_round_trip_keeps_every_kind() -> None:
    converter = DefaultMessageConverter()
    for kind in MessageKind:
        message = Message(kind, NOON, text=f"{kind.value} text")
        encoded = json.loads(json.dumps(converter.convert_to_pubnub(message)))
        assert converter.convert_from_pubnub(wire(encoded)) == message


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (["from_customer", "hi"], "expected a JSON object with 'kind' and 'time', got an array"),
        ("hi", "expected a JSON object with 'kind' and 'time', got a string"),
        (None, "expected a JSON object with 'kind' and 'time', got null"),
        (42, "expected a JSON object with 'kind' and 'time', got a number"),
        ({"time": "2026-11-26T04:00:00.000000+0000"}, "the message has no 'kind'"),
        ({"kind": 1, "time": "2026-11-26T04:00:00.000000+0000"}, "'kind' is a number"),
        (
            {"kind": "shouting", "time": "2026-11-26T04:00:00.000000+0000"},
            "unknown message kind 'shouting' (expected one of from_customer, from_agent, "
            "postponed, resolved, rated)",
        ),
        ({"kind": "from_customer"}, "the message has no 'time'"),
        ({"kind": "from_customer", "time": 1764129600}, "'time' is a number, not a string"),
        (
            {"kind": "from_customer", "time": "yesterday"},
            "'time' 'yesterday' is not a timestamp like 2026-11-26T04:00:00.000000+0000",
        ),
        (
            {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000"},
            "'time' '2026-11-26T04:00:00.000000' has no UTC offset",
        ),
        (
            {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": ["x"]},
            "'text' is an array, not a string",
        ),
    ],
)
def test_default_converter_rejects_what_is_not_a_message(payload: Any, reason: str) -> None:
    with pytest.raises(UndecodableMessage) as caught:
        DefaultMessageConverter().convert_from_pubnub(wire(payload))
    assert reason in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_rejection_quotes_a_huge_field_only_briefly() -> None:
    payload = {"kind": "from_customer", "time": "x" * 30_000}
    with pytest.raises(UndecodableMessage) as caught:
        DefaultMessageConverter().convert_from_pubnub(wire(payload))
    assert len(str(caught.value)) < 200


def test_default_converter_refuses_to_drop_an_image() -> None:
    with pytest.raises(ValueError, match="cannot carry images"):
        DefaultMessageConverter().convert_to_pubnub(
            Message(MessageKind.FROM_AGENT, NOON, image=b"\x89PNG")
        )


# -- normalising what other converters return --


def test_normalize_message_accepts_a_suppgram_shaped_object() -> None:
    from dataclasses import dataclass
    from enum import Enum

    class TheirKind(str, Enum):
        FROM_CUSTOMER = "from_customer"

    @dataclass(frozen=True)
    class TheirMessage:
        kind: TheirKind
        time_utc: datetime
        text: str | None = None
        image: bytes | None = None

    ours = normalize_message(TheirMessage(TheirKind.FROM_CUSTOMER, NOON, "hi"))
    assert ours == Message(MessageKind.FROM_CUSTOMER, NOON, text="hi")


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"kind": "from_customer"}, "the converter returned dict, which is not a message"),
        (
            type("M", (), {"kind": "nope", "time_utc": NOON})(),
            "unknown message kind 'nope'",
        ),
        (
            type("M", (), {"kind": "from_agent", "time_utc": "noon"})(),
            "message time 'noon' is not a datetime",
        ),
        (
            type("M", (), {"kind": "from_agent", "time_utc": datetime(2026, 1, 1)})(),
            "has no UTC offset",
        ),
    ],
)
def test_normalize_message_explains_what_is_wrong(obj: Any, reason: str) -> None:
    with pytest.raises(UndecodableMessage) as caught:
        normalize_message(obj)
    assert reason in str(caught.value)


def test_decode_message_turns_a_crashing_converter_into_undecodable() -> None:
    class Crashing(DefaultMessageConverter):
        def convert_from_pubnub(self, message: WireMessage) -> Message:
            return message.message["missing"]

    with pytest.raises(UndecodableMessage, match=r"convert_from_pubnub raised KeyError: 'missing' "
                       r"\(test_model_converters.py:\d+\)"):
        decode_message(Crashing(), wire({}))


# -- loading converters --


def test_default_paths_give_our_default_converter() -> None:
    for path in (
        DEFAULT_CONVERTER_PATH,
        "suppgram.frontends.pubnub.converter.DefaultMessageConverter",
        "suppgram_tui.converters.DefaultMessageConverter",
    ):
        assert type(load_converter(path)) is DefaultMessageConverter


def test_load_converter_from_a_file(converter_dir: Path) -> None:
    write_module(
        converter_dir,
        "plain_converter",
        """
        from datetime import datetime, timezone
        from suppgram_tui.converters import MessageConverter
        from suppgram_tui.model import Message, MessageKind

        class Plain(MessageConverter):
            def convert_from_pubnub(self, message):
                now = datetime.now(timezone.utc)
                return Message(MessageKind.FROM_CUSTOMER, now, message.message)

            def convert_to_pubnub(self, message):
                return message.text
        """,
    )
    converter = load_converter("plain_converter.Plain")
    assert decode_message(converter, wire("hello")).text == "hello"


@pytest.mark.parametrize(
    ("module_source", "path", "message"),
    [
        (
            None,
            "nodots",
            "Converter 'nodots' is not a dotted path like 'package.module.ClassName'.",
        ),
        (
            None,
            ".Leading",
            "Converter '.Leading' is not a dotted path like 'package.module.ClassName'.",
        ),
        (
            None,
            "no_such_module_here.Converter",
            "Cannot load converter 'no_such_module_here.Converter': there is no module named "
            "'no_such_module_here' (is it installed, or is its directory on PYTHONPATH?).",
        ),
        (
            "raise RuntimeError('config file missing')\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': module 'conv' raised "
            "RuntimeError: config file missing while being imported.",
        ),
        (
            "import a_dependency_nobody_installed\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': module 'conv' raised "
            "ModuleNotFoundError: No module named 'a_dependency_nobody_installed' "
            "while being imported.",
        ),
        (
            "def broken(:\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': module 'conv' raised SyntaxError",
        ),
        (
            "class Other: pass\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': module 'conv' has no attribute 'Converter'.",
        ),
        (
            "def Converter(): pass\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': 'Converter' is a function, not a class.",
        ),
        (
            "Converter = object()\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': 'Converter' is an object, not a class.",
        ),
        (
            "class Converter:\n    def convert_to_pubnub(self, m): return m\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': class 'Converter' is not a message "
            "converter (it has no convert_from_pubnub method).",
        ),
        (
            "class Converter: pass\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': class 'Converter' is not a message "
            "converter (it has no convert_from_pubnub and no convert_to_pubnub method).",
        ),
        (
            "from suppgram_tui.converters import MessageConverter\n"
            "class Converter(MessageConverter):\n"
            "    def convert_from_pubnub(self, m): return m\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': class 'Converter' does not implement "
            "convert_to_pubnub.",
        ),
        (
            "class Converter:\n"
            "    def __init__(self): raise ValueError('set CONVERTER_URL first')\n"
            "    def convert_from_pubnub(self, m): return m\n"
            "    def convert_to_pubnub(self, m): return m\n",
            "conv.Converter",
            "Cannot load converter 'conv.Converter': creating Converter() raised "
            "ValueError: set CONVERTER_URL first (conv.py:2).",
        ),
    ],
)
def test_load_converter_says_what_went_wrong(
    converter_dir: Path, module_source: str | None, path: str, message: str
) -> None:
    if module_source is not None:
        write_module(converter_dir, "conv", module_source)
    with pytest.raises(ConverterLoadError) as caught:
        load_converter(path)
    assert str(caught.value).startswith(message)


def test_suppgram_converter_file_works_without_suppgram(converter_dir: Path) -> None:
    write_module(
        converter_dir,
        "their_converter",
        """
        from datetime import datetime, timezone

        from suppgram.entities import Message, MessageKind
        from suppgram.frontends.pubnub.converter import MessageConverter


        class TheirConverter(MessageConverter):
            def convert_from_pubnub(self, message):
                body = message.message
                return Message(
                    kind=MessageKind(body["type"]),
                    time_utc=datetime.fromtimestamp(body["ts"], timezone.utc),
                    text=body["body"],
                )

            def convert_to_pubnub(self, message):
                return {
                    "type": message.kind.value,
                    "ts": message.time_utc.timestamp(),
                    "body": message.text,
                }
        """,
    )
    converter = load_converter("their_converter.TheirConverter")
    assert isinstance(converter, MessageConverter)
    message = decode_message(converter, wire({"type": "from_customer", "ts": 0, "body": "hi"}))
    assert message == Message(
        MessageKind.FROM_CUSTOMER, datetime(1970, 1, 1, tzinfo=timezone.utc), text="hi"
    )
    assert converter.convert_to_pubnub(message) == {
        "type": "from_customer",
        "ts": 0.0,
        "body": "hi",
    }

    import suppgram.frontends.pubnub as their_pubnub

    assert their_pubnub.DefaultMessageConverter is DefaultMessageConverter
    with pytest.raises(ModuleNotFoundError):
        __import__("suppgram.frontends.telegram")


def test_alias_stays_out_of_the_way_of_a_real_suppgram(converter_dir: Path) -> None:
    (converter_dir / "suppgram").mkdir()
    (converter_dir / "suppgram" / "__init__.py").write_text("REAL = True\n")
    assert install_suppgram_alias() is False
    import suppgram

    assert suppgram.REAL is True


def test_duck_typed_suppgram_style_converter(converter_dir: Path) -> None:
    write_module(
        converter_dir,
        "duck_converter",
        """
        from dataclasses import dataclass
        from datetime import datetime, timezone
        from enum import Enum

        class Kind(str, Enum):
            FROM_CUSTOMER = "from_customer"
            FROM_AGENT = "from_agent"

        @dataclass(frozen=True)
        class SuppgramMessage:
            kind: Kind
            time_utc: datetime
            text: str | None = None

        class Duck:
            def convert_from_pubnub(self, message):
                new_year = datetime(2026, 1, 1, tzinfo=timezone.utc)
                return SuppgramMessage(Kind.FROM_CUSTOMER, new_year, message.message["t"])

            def convert_to_pubnub(self, message):
                return {"k": message.kind.value, "t": message.text}
        """,
    )
    converter = load_converter("duck_converter.Duck")
    message = decode_message(converter, wire({"t": "quack"}))
    assert message == Message(
        MessageKind.FROM_CUSTOMER, datetime(2026, 1, 1, tzinfo=timezone.utc), text="quack"
    )
    assert converter.convert_to_pubnub(message) == {"k": "from_customer", "t": "quack"}


RELOADABLE = """
from datetime import datetime, timezone
from suppgram.entities import Message, MessageKind
from suppgram.frontends.pubnub import MessageConverter

class Echo(MessageConverter):
    def convert_from_pubnub(self, message):
        return Message(MessageKind.FROM_CUSTOMER, datetime(2026, 1, 1, tzinfo=timezone.utc),
                       text="{prefix}" + message.message)

    def convert_to_pubnub(self, message):
        return message.text
"""


def test_reload_picks_up_an_edited_converter_file(
    converter_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as on an agent's machine
    write_module(converter_dir, "echo_converter", RELOADABLE.replace("{prefix}", "one:"))
    converter = load_converter("echo_converter.Echo")
    assert decode_message(converter, wire("x")).text == "one:x"

    # Same size, same second: Python's bytecode cache alone would not notice this edit.
    write_module(converter_dir, "echo_converter", RELOADABLE.replace("{prefix}", "two:"))
    reloaded = reload_converter(converter)
    assert decode_message(reloaded, wire("x")).text == "two:x"

    write_module(converter_dir, "echo_converter", "raise RuntimeError('half-saved')\n")
    with pytest.raises(ConverterLoadError, match="re-importing echo_converter raised "
                       r"RuntimeError: half-saved \(echo_converter.py:1\)"):
        reload_converter(reloaded)


def test_reloading_the_default_converter_gives_a_fresh_default() -> None:
    converter = DefaultMessageConverter()
    reloaded = reload_converter(converter)
    assert type(reloaded) is DefaultMessageConverter and reloaded is not converter
