"""Every converter call is guarded (issue 13 items 2 and 17): an exception, a wrong result
or a hang becomes one sentence saying which method, what, and where in the converter."""

from __future__ import annotations

import signal
import threading
import time
from datetime import datetime, timezone

import pytest

from suppgram_tui.converters import (
    ConverterFailed,
    ConverterLoadError,
    UndecodableMessage,
    WireMessage,
    decode_message,
    encode_message,
)
from suppgram_tui.converters.guard import call_converter
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.ui.screens.simulator_dialogs import example_payload
from tests.helpers import failing_converters as conv

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def converters(tmp_path):
    yield tmp_path
    conv.forget(tmp_path, "ascii_only", "wrong_types", "hangs", "raises_on_decode", "deep")


def reply(text: str, kind: MessageKind = MessageKind.FROM_AGENT) -> Message:
    return Message(kind, NOW, text)


def test_an_exception_names_the_method_the_error_and_the_converters_line(converters):
    converter = conv.load(converters, "ascii_only", conv.ASCII_ONLY)
    with pytest.raises(ConverterFailed) as failed:
        encode_message(converter, reply("5 €"))
    where = conv.where("ascii_only", conv.ASCII_ONLY, "RAISES")
    assert str(failed.value) == (
        "convert_to_pubnub raised UnicodeEncodeError: 'ascii' codec can't encode character "
        f"'\\u20ac' in position 2: ordinal not in range(128) ({where})")
    assert isinstance(failed.value.cause, UnicodeEncodeError) and not failed.value.hung


def test_the_line_is_the_innermost_in_the_converters_own_file(converters):
    (converters / "deep_helpers.py").write_text("def parse(payload):\n    return payload['x']\n")
    source = """
        import deep_helpers
        from suppgram_tui.converters import DefaultMessageConverter


        class Converter(DefaultMessageConverter):
            def convert_from_pubnub(self, message):
                return self.read(message)

            def read(self, message):
                return deep_helpers.parse(message.message)  # INNERMOST
    """
    converter = conv.load(converters, "deep", source)
    wire = WireMessage({}, "c", "cust", 1)
    with pytest.raises(UndecodableMessage) as failed:
        decode_message(converter, wire)
    assert str(failed.value) == ("convert_from_pubnub raised KeyError: 'x' "
                                 f"({conv.where('deep', source, 'INNERMOST')})")
    conv.forget(converters, "deep_helpers")


def test_wrong_results_are_said_in_words(converters):
    converter = conv.load(converters, "wrong_types", conv.WRONG_TYPES)
    with pytest.raises(ConverterFailed, match="convert_to_pubnub returned data that is not "
                                              "JSON-serialisable: TypeError") as failed:
        encode_message(converter, reply("hi"))
    assert failed.value.returned

    class ReturnsNone:
        def convert_to_pubnub(self, message):
            return None

        def convert_from_pubnub(self, message):
            return "a string"

    with pytest.raises(ConverterFailed, match="convert_to_pubnub returned None, not a "
                                              "payload to publish"):
        encode_message(ReturnsNone(), reply("hi"))
    with pytest.raises(UndecodableMessage, match="the converter returned str, which is not a "
                                                 "message"):
        decode_message(ReturnsNone(), WireMessage({}, "c", "cust", 1))


def test_a_hang_is_stopped_after_two_seconds_even_if_the_converter_swallows_exceptions(
        converters):
    converter = conv.load(converters, "hangs", conv.HANGS)
    started = time.monotonic()
    with pytest.raises(ConverterFailed) as failed:
        encode_message(converter, reply("a slow one"))
    took = time.monotonic() - started
    assert 1.9 < took < 4, took
    where = conv.where("hangs", conv.HANGS, "HANGS ENCODING")
    assert str(failed.value) == ("convert_to_pubnub did not finish within 2 s and was "
                                 f"stopped at {where}")
    assert failed.value.hung
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left behind
    time.sleep(0.1)
    assert encode_message(converter, reply("quick")).message["text"] == "quick"


def test_off_the_main_thread_a_slow_call_is_timed_not_stopped():
    class Slow:
        def convert_to_pubnub(self, message):
            time.sleep(0.6)
            return {"text": message.text}

    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(call_converter(Slow(), "convert_to_pubnub", reply("x"), limit=0.3))
        except ConverterFailed as failed:
            outcome.append(failed)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    [failed] = outcome
    assert isinstance(failed, ConverterFailed) and failed.hung
    assert str(failed).startswith("convert_to_pubnub took 0.6 s, over the 0.3 s")


def test_a_missing_method_is_a_failure_not_an_attribute_error():
    with pytest.raises(ConverterFailed, match="the converter has no convert_to_pubnub method"):
        call_converter(object(), "convert_to_pubnub", reply("x"))


def test_the_simulators_example_payload_survives_a_failing_converter(converters):
    """The raw JSON box (Ctrl+E) starts from an example in the converter's format."""
    assert example_payload(conv.load(converters, "ascii_only", conv.ASCII_ONLY), NOW) == {
        "kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hello"}
    fallback = {"kind": "from_customer", "time": None, "text": "hello"}
    assert example_payload(conv.load(converters, "wrong_types", conv.WRONG_TYPES), NOW) != \
        fallback  # from_customer encodes with it

    class Raises:
        def convert_to_pubnub(self, message):
            raise RuntimeError("no")

    class Hangs:
        def convert_to_pubnub(self, message):
            time.sleep(30)

    assert example_payload(Raises(), NOW) == fallback
    started = time.monotonic()
    assert example_payload(Hangs(), NOW) == fallback
    assert time.monotonic() - started < 4


def test_a_constructor_that_hangs_fails_the_load_in_words(converters):
    source = """
        import time

        from suppgram_tui.converters import DefaultMessageConverter


        class Converter(DefaultMessageConverter):
            def __init__(self):
                time.sleep(30)  # CONNECTS
    """
    started = time.monotonic()
    with pytest.raises(ConverterLoadError) as failed:
        conv.load(converters, "deep", source)
    assert time.monotonic() - started < 4
    assert str(failed.value) == (
        "Cannot load converter 'deep.Converter': creating Converter() did not finish "
        f"within 2 s and was stopped at {conv.where('deep', source, 'CONNECTS')}.")
