"""The converter contract an envelope-aware format can meet (issue 13 items 3, 4, 5, 8, 20):
envelopes as PubNub delivers them, sample envelopes, ignoring, custom message types,
kinds a converter does not know, and check-converter's hints and CI formats."""

from __future__ import annotations

import importlib.metadata
import json
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from suppgram_tui.cli import main
from suppgram_tui.converters import (
    ChatSdkConverter,
    IgnoredMessage,
    OutgoingMessage,
    WireMessage,
    decode_message,
    load_converter,
    reload_converter,
)
from suppgram_tui.converters.checking import check_converter
from suppgram_tui.converters.envelope import Sender
from suppgram_tui.converters.samples import SampleError, check_sample, load_sample
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.timetokens import from_datetime

# Time from the timetoken, side from the publisher: the shape issue 13 found failing
# every case of check-converter ("time changed by -366 days", "kind changed").
ENVELOPE_AWARE = """
    from datetime import datetime, timezone
    from suppgram_tui.converters import MessageConverter
    from suppgram_tui.model import Message, MessageKind

    class Converter(MessageConverter):
        SUPPORT = "support"

        def convert_to_pubnub(self, message):
            return {"body": message.text, "event": message.kind.value}

        def convert_from_pubnub(self, message):
            event = message.message.get("event")
            if event in ("from_agent", "from_customer"):
                event = ("from_agent" if message.publisher == self.SUPPORT
                         else "from_customer")
            return Message(MessageKind(event),
                           datetime.fromtimestamp(message.timetoken / 1e7, timezone.utc),
                           message.message.get("body"))
"""

CONVERTERS = {
    "envelope_aware": ENVELOPE_AWARE,
    "always_customer": ENVELOPE_AWARE.replace('message.publisher == self.SUPPORT', 'False'),
    # the legacy format of issue 13: {"sender", "body", "ts"}; receipts are no messages
    "legacy": """
        from datetime import datetime, timezone
        from suppgram_tui.converters import IgnoredMessage, MessageConverter
        from suppgram_tui.model import Message, MessageKind

        class Converter(MessageConverter):
            def convert_to_pubnub(self, message):
                return {"sender": message.kind.value, "body": message.text,
                        "ts": message.time_utc.isoformat()}

            def convert_from_pubnub(self, message):
                payload = message.message
                if payload.get("receipt"):
                    raise IgnoredMessage(f"a read receipt for {payload['receipt']}")
                return Message(MessageKind(payload["sender"]),
                               datetime.fromisoformat(payload["ts"]), payload.get("body"))
    """,
    "returns_none": """
        from suppgram_tui.converters import DefaultMessageConverter

        class Converter(DefaultMessageConverter):
            def convert_from_pubnub(self, message):
                super().convert_from_pubnub(message)  # forgot the return
    """,
    # the kind in PubNub's custom message type, the meta carrying the time
    "typed": """
        from datetime import datetime
        from suppgram_tui.converters import MessageConverter, OutgoingMessage
        from suppgram_tui.model import Message, MessageKind

        class Converter(MessageConverter):
            def convert_to_pubnub(self, message):
                return OutgoingMessage({"t": message.text},
                                       meta={"sent": message.time_utc.isoformat()},
                                       custom_message_type="support-" + message.kind.value)

            def convert_from_pubnub(self, message):
                kind = (message.custom_message_type or "").removeprefix("support-")
                return Message(MessageKind(kind),
                               datetime.fromisoformat(message.user_metadata["sent"]),
                               message.message["t"])
    """,
    "bad_type": """
        from suppgram_tui.converters import DefaultMessageConverter, OutgoingMessage

        class Converter(DefaultMessageConverter):
            def convert_to_pubnub(self, message):
                return OutgoingMessage(super().convert_to_pubnub(message),
                                       custom_message_type="pn-" + message.kind.value)
    """,
    # as Suppgram's own entities are: a MessageKind without "rated"
    "no_rated": """
        from datetime import datetime
        from enum import Enum
        from types import SimpleNamespace

        class MessageKind(str, Enum):
            FROM_CUSTOMER = "from_customer"
            FROM_AGENT = "from_agent"
            POSTPONED = "postponed"
            RESOLVED = "resolved"

        FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"

        class Converter:
            def convert_to_pubnub(self, message):
                return {"kind": message.kind.value, "time": message.time_utc.strftime(FORMAT),
                        "text": message.text}

            def convert_from_pubnub(self, message):
                payload = message.message
                return SimpleNamespace(kind=MessageKind(payload["kind"]),
                                       time_utc=datetime.strptime(payload["time"], FORMAT),
                                       text=payload.get("text"))
    """,
}


@pytest.fixture
def converters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "converters"
    directory.mkdir()
    for name, source in CONVERTERS.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(directory))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    yield directory
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if name == "suppgram" or name.startswith("suppgram.") or file.startswith(str(directory)):
            del sys.modules[name]


def run(*args: str):
    return CliRunner().invoke(main, ["check-converter", *args], env={"COLUMNS": "300"})


def results_of(path: str, *args: str) -> dict[str, dict[str, str]]:
    result = run(path, "--format", "json", *args)
    report = json.loads(result.output)
    return {case["name"]: case for case in report["cases"]}


def write(directory: Path, name: str, payload: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


# -- item 3: envelopes as PubNub delivers them --


def test_a_converter_reading_time_and_side_from_the_envelope_passes(converters: Path) -> None:
    result = run("envelope_aware.Converter")
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed, 1 skipped" in result.output  # the image: no image field


def test_a_wrong_side_says_which_field_differed(converters: Path) -> None:
    cases = results_of("always_customer.Converter")
    assert cases["from_agent"]["result"] == "fail"
    assert cases["from_agent"]["details"] == (
        "kind changed: sent 'from_agent', got 'from_customer'")
    assert cases["from_customer"]["result"] == "pass"


def test_the_envelope_is_the_one_pubnub_would_deliver() -> None:
    seen: list[WireMessage] = []

    class Recording(ChatSdkConverter):
        def convert_from_pubnub(self, message: WireMessage) -> Message:
            seen.append(message)
            return super().convert_from_pubnub(message)

    sender = Sender(support_user="helpdesk", customer="cust-9", channel="cust-9-support")
    converter = Recording()
    converter.support_user = "helpdesk"
    check_converter(converter, sender=sender)
    by_text = {wire.message["text"]: wire for wire in seen}
    agent, customer = by_text["Hi! How can I help?"], by_text["hello"]
    assert agent.publisher == "helpdesk" and customer.publisher == "cust-9"
    assert agent.channel == customer.channel == "cust-9-support"
    assert agent.user_metadata["agent"] and agent.user_metadata["client_id"]
    assert customer.user_metadata is None
    sent_at = datetime(2026, 11, 26, 4, 0, 0, 123456, tzinfo=timezone.utc)
    assert customer.timetoken == from_datetime(sent_at)
    resolved = next(wire for wire in seen if wire.custom_message_type == "suppgram-resolved")
    assert resolved.publisher == "helpdesk"


def test_the_support_user_option_reaches_an_envelope_aware_converter() -> None:
    assert run("suppgram_tui.converters.ChatSdkConverter").exit_code == 0
    result = run("suppgram_tui.converters.ChatSdkConverter", "--pubnub-user-id", "helpdesk")
    assert result.exit_code == 0, result.output
    converter = load_converter("suppgram_tui.converters.ChatSdkConverter",
                               support_user="helpdesk")
    assert converter.support_user == "helpdesk"
    assert reload_converter(converter).support_user == "helpdesk"


def test_a_sample_carries_its_envelope(tmp_path: Path) -> None:
    tt = 17956656001234560
    customer = write(tmp_path, "customer.json", {
        "message": {"type": "text", "text": "where is my order?"},
        "publisher": "cust-1", "timetoken": str(tt), "meta": {"app": "ios"}})
    agent = write(tmp_path, "agent.json", {
        "message": {"type": "text", "text": "On its way"}, "uuid": "support",
        "timetoken": tt + 10})
    bare = write(tmp_path, "bare.json", {"type": "text", "text": "hi"})
    converter = ChatSdkConverter()
    results = [check_sample(converter, load_sample(path)) for path in (customer, agent, bare)]
    assert all(result.passed for result in results), results
    assert results[0].reason.startswith(
        "decoded from_customer at 2026-11-26 04:00:00.123456+00:00, text 'where is my order?'")
    assert results[1].reason.startswith("decoded from_agent at 2026-11-26 04:00:00.123457")
    assert load_sample(customer).meta == {"app": "ios"}


def test_a_bad_envelope_in_a_sample_is_one_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", {"message": {}, "timetoken": "yesterday"})
    with pytest.raises(SampleError, match="envelope whose timetoken is not a whole number"):
        load_sample(path)


# -- item 4: custom message type and meta on replies --


def test_meta_and_a_custom_message_type_make_the_round_trip(converters: Path) -> None:
    result = run("typed.Converter")
    assert result.exit_code == 0, result.output


def test_a_custom_message_type_pubnub_refuses_is_named(converters: Path) -> None:
    cases = results_of("bad_type.Converter")
    assert cases["from_customer"]["result"] == "fail"
    assert cases["from_customer"]["details"].startswith(
        "convert_to_pubnub raised ValueError: custom message type 'pn-from_customer' is not "
        "one PubNub takes")


def test_outgoing_message_refuses_meta_that_is_not_an_object() -> None:
    with pytest.raises(TypeError, match="meta must be a dict"):
        OutgoingMessage({}, meta=["a"])  # type: ignore[arg-type]


# -- item 5: ignoring what is not a chat message --


def test_ignored_messages_pass_as_samples_and_none_is_ignoring() -> None:
    wire = WireMessage({"type": "custom", "value": 1}, "ch", "cust", 1)
    with pytest.raises(IgnoredMessage, match="'custom' message, not a chat message"):
        decode_message(ChatSdkConverter(), wire)


def test_a_receipt_sample_is_ignored_and_passes(converters: Path, tmp_path: Path) -> None:
    receipt = write(tmp_path, "receipt.json", {"receipt": "m-17"})
    cases = results_of("legacy.Converter", str(receipt))
    assert cases["sample receipt.json"]["result"] == "pass"
    assert cases["sample receipt.json"]["details"] == (
        "ignored by the converter: a read receipt for m-17; the console files it in no "
        "conversation")
    assert all(case["result"] != "fail" for case in cases.values()), cases


def test_a_converter_returning_none_fails_every_case_saying_so(converters: Path) -> None:
    cases = results_of("returns_none.Converter")
    assert cases["from_customer"]["details"] == (
        "convert_from_pubnub ignored it: the converter returned None")
    assert cases["rated"]["result"] == "skip"


# -- item 8: kinds a converter does not know --


def test_a_converter_without_rated_is_skipped_on_ratings_with_a_note(converters: Path) -> None:
    result = run("no_rated.Converter")
    assert result.exit_code == 0, result.output
    cases = results_of("no_rated.Converter")
    assert cases["rated"]["result"] == "skip"
    assert cases["rated"]["details"].startswith(
        "ratings not supported: convert_from_pubnub raised ValueError: 'rated' is not a valid "
        "MessageKind (no_rated.py:21). Suppgram's MessageKind has no 'rated'")


def test_a_real_suppgram_subclass_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    try:  # the real one, not our alias
        importlib.metadata.distribution("suppgram")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("Suppgram is not installed (pip install suppgram==0.0.13 to run this)")
    monkeypatch.setattr(sys, "meta_path", [finder for finder in sys.meta_path
                                           if type(finder).__name__ != "_SuppgramAlias"])
    (tmp_path / "sg_sub.py").write_text(
        "from suppgram.frontends.pubnub.converter import DefaultMessageConverter\n"
        "class Converter(DefaultMessageConverter):\n    pass\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = run("sg_sub.Converter")
    assert result.exit_code == 0, result.output
    assert "16 passed, 0 failed, 2 skipped" in result.output


# -- item 20: sample hints, one bad sample, CI formats --


@pytest.mark.parametrize(("content", "words"), [
    (b"", "is empty: it should hold one JSON payload"),
    (b"  \n", "is empty"),
    (b'{"kind": "from_customer"}\n{"kind": "from_agent"}\n',
     "holds 2 JSON values, one per line (NDJSON)"),
    (b'{"a": 1} {"b": 2}', "holds more than one JSON value"),
    (b"{'kind': 'from_customer'}", "(JSON strings take double quotes)"),
    ("{}".encode("utf-16"), "is not UTF-8 text (it looks like UTF-16: save it as UTF-8)"),
])
def test_unreadable_samples_get_a_hint(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "sample.json"
    path.write_bytes(content)
    with pytest.raises(SampleError) as caught:
        load_sample(path)
    assert words in str(caught.value)


def test_a_byte_order_mark_is_skipped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000",
         "text": "hi"}).encode())
    cases = results_of("suppgram_tui.converters.DefaultMessageConverter", str(path))
    assert cases["sample bom.json"]["result"] == "pass"
    assert "(the file starts with a UTF-8 byte order mark, which was skipped" in \
        cases["sample bom.json"]["details"]


def test_double_encoded_json_gets_a_hint(tmp_path: Path) -> None:
    inner = {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "x"}
    path = write(tmp_path, "twice.json", json.dumps(inner))
    cases = results_of("suppgram_tui.converters.DefaultMessageConverter", str(path))
    details = cases["sample twice.json"]["details"]
    assert cases["sample twice.json"]["result"] == "fail"
    assert details.startswith("does not decode: convert_from_pubnub found it undecodable: "
                              "expected a JSON object with 'kind' and 'time', got a string")
    assert "the payload is a JSON string holding JSON (double-encoded)" in details


def test_one_bad_sample_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", {
        "kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"})
    (tmp_path / "empty.json").write_bytes(b"")
    result = run("suppgram_tui.converters.DefaultMessageConverter", str(tmp_path / "empty.json"),
                 str(good), "--format", "json")
    assert result.exit_code == 2
    cases = {case["name"]: case for case in json.loads(result.output)["cases"]}
    assert cases["sample empty.json"]["result"] == "fail"
    assert "is empty" in cases["sample empty.json"]["details"]
    assert cases["sample good.json"]["result"] == "pass"


def test_json_and_junit_reports_for_ci(converters: Path) -> None:
    report = json.loads(run("always_customer.Converter", "--format", "json").output)
    assert report["converter"] == "always_customer.Converter"
    assert (report["passed"], report["failed"], report["skipped"]) == (15, 2, 1)
    junit = run("always_customer.Converter", "--format", "junit")
    assert junit.exit_code == 1
    suite = ElementTree.fromstring(junit.output.split("\n", 1)[1])
    assert suite.get("tests") == "18" and suite.get("failures") == "2"
    failure = suite.find("testcase[@name='from_agent']/failure")
    assert failure is not None
    assert failure.get("message") == "kind changed: sent 'from_agent', got 'from_customer'"
    assert suite.find("testcase[@name='image (PNG, no text)']/skipped") is not None


def test_junit_holds_control_characters_as_visible_stand_ins(converters: Path) -> None:
    source = CONVERTERS["legacy"].replace(
        "payload = message.message", "raise RuntimeError('boom \\x1b[2J \\x00')")
    (converters / "raises.py").write_text(textwrap.dedent(source), encoding="utf-8")
    junit = run("raises.Converter", "--format", "junit")
    ElementTree.fromstring(junit.output.split("\n", 1)[1])  # well-formed XML 1.0
    assert "\x1b" not in junit.output and "\x00" not in junit.output


def test_message_kind_enum_from_the_model_has_rated() -> None:
    assert MessageKind("rated") is MessageKind.RATED


# -- item 9: README's examples are real converters that pass --


def readme_examples() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a converter", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]


@pytest.mark.parametrize(("index", "class_name", "summary"), [
    (0, "AppConverter", "18 passed, 0 failed, 0 skipped"),
    (1, "ChatSdkConverter", "17 passed, 0 failed, 1 skipped"),
])
def test_the_readme_examples_pass_check_converter(converters: Path, index: int,
                                                  class_name: str, summary: str) -> None:
    (converters / f"readme_{index}.py").write_text(readme_examples()[index], encoding="utf-8")
    result = run(f"readme_{index}.{class_name}")
    assert result.exit_code == 0, result.output
    assert summary in result.output
