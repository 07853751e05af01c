"""`check-converter`: the contract check a CI job runs on a project's converter."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from suppgram_tui.cli import main
from suppgram_tui.converters import DEFAULT_CONVERTER_PATH, DefaultMessageConverter, load_converter
from suppgram_tui.converters.checking import (
    PUBLISH_LIMIT_BYTES,
    CheckResult,
    builtin_corpus,
    check_converter,
    publish_size,
)
from suppgram_tui.converters.samples import Sample, SampleError, load_sample
from suppgram_tui.model import MessageKind

# Suppgram's default format, with one thing wrong or one thing added each time.
DEFAULT_LIKE = """
    from datetime import datetime, timezone
    from suppgram.entities import Message, MessageKind
    from suppgram.frontends.pubnub.converter import MessageConverter

    FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"

    class Converter(MessageConverter):
        def convert_to_pubnub(self, message):
            return {"kind": message.kind.value, "time": message.time_utc.strftime(FORMAT),
                    "text": message.text}

        def convert_from_pubnub(self, message):
            payload = message.message
            return Message(kind=MessageKind(payload["kind"]),
                           time_utc=datetime.strptime(payload["time"], FORMAT),
                           text=payload.get("text"))
"""

CONVERTERS = {
    "drops_zone": DEFAULT_LIKE.replace('FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"',
                                       'FORMAT = "%Y-%m-%dT%H:%M:%S.%f"'),
    "drops_zone_duck": DEFAULT_LIKE.replace(
        'FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"', 'FORMAT = "%Y-%m-%dT%H:%M:%S.%f"'
    ).replace("return Message(", "from types import SimpleNamespace as Message\n"
                                 "            return Message("),
    "reads_local_as_utc": DEFAULT_LIKE.replace(
        'FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"', 'FORMAT = "%Y-%m-%dT%H:%M:%S.%f"'
    ).replace('strptime(payload["time"], FORMAT)',
              'strptime(payload["time"], FORMAT).replace(tzinfo=timezone.utc)'),
    "drops_micros": DEFAULT_LIKE.replace('FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"',
                                         'FORMAT = "%Y-%m-%dT%H:%M:%S%z"'),
    "drops_text": DEFAULT_LIKE.replace('"text": message.text}', "}"),
    "composes_marks": DEFAULT_LIKE.replace(
        "text=payload.get(\"text\")",
        "text=payload.get('text') and __import__('unicodedata').normalize('NFC', "
        "payload['text'])"),
    "truncates": DEFAULT_LIKE.replace(
        'text=payload.get("text"))',
        'text=None if payload.get("text") is None else payload["text"][:4096])'),
    "pads_output": DEFAULT_LIKE.replace(
        '"text": message.text}', '"text": message.text, "debug": (message.text or "") * 3}'),
    "returns_datetime": DEFAULT_LIKE.replace('"time": message.time_utc.strftime(FORMAT)',
                                             '"time": message.time_utc'),
    "raises_on_decode": DEFAULT_LIKE.replace(
        "payload = message.message", "raise RuntimeError('boom [bold]x[/] \\x1b[2J')"),
    "sends_images": DEFAULT_LIKE.replace(
        '"text": message.text}',
        '"text": message.text, "image": message.image and message.image.hex()}'
    ).replace('text=payload.get("text"))',
              'text=payload.get("text"), image=payload.get("image") '
              'and bytes.fromhex(payload["image"]))'),
    "corrupts_images": DEFAULT_LIKE.replace(
        '"text": message.text}',
        '"text": message.text, "image": message.image and message.image.hex()}'
    ).replace('text=payload.get("text"))',
              'text=payload.get("text"), image=payload.get("image") '
              'and bytes.fromhex(payload["image"])[1:])'),
    "subclasses_default": """
        from suppgram.frontends.pubnub import DefaultMessageConverter

        class Converter(DefaultMessageConverter):
            pass
    """,
}


@pytest.fixture
def converters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every converter module above in a directory on sys.path; its modules, and the
    suppgram alias, are forgotten afterwards."""
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


def check(name: str, samples: list[Sample] = ()) -> dict[str, CheckResult]:
    results = check_converter(load_converter(f"{name}.Converter"), samples)
    return {result.name: result for result in results}


def failures(results: dict[str, CheckResult]) -> dict[str, str]:
    return {name: result.reason for name, result in results.items() if not result.passed}


def run(*args: str):
    return CliRunner().invoke(main, ["check-converter", *args], env={"COLUMNS": "300"})


def write_sample(directory: Path, name: str, payload: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


# -- the built-in corpus --


def test_corpus_covers_every_kind_text_shape_zone_and_an_image() -> None:
    corpus = builtin_corpus()
    assert {case.message.kind for case in corpus} == set(MessageKind)
    texts = [case.message.text for case in corpus]
    assert "" in texts and None in texts and max(len(t or "") for t in texts) >= 10_000
    offsets = {case.message.time_utc.utcoffset().total_seconds() / 3600 for case in corpus}
    assert {0, 5.5, -8} <= offsets
    assert all(case.message.time_utc.microsecond for case in corpus)
    assert any(case.message.image for case in corpus)
    common = [t for t in texts if t and all(c in t for c in "€£ü—🙂好")]
    assert common, "a text with the symbols a shop's customers type"


def test_default_converter_passes_and_reports_images_as_not_supported() -> None:
    results = check_converter(DefaultMessageConverter())
    assert all(result.passed for result in results)
    skipped = [result for result in results if result.skipped]
    assert [result.name for result in skipped] == ["image (PNG, no text)"]
    assert skipped[0].reason.startswith("images not supported:")


@pytest.mark.parametrize("path", [DEFAULT_CONVERTER_PATH, "subclasses_default.Converter"])
def test_default_converter_passes_through_the_suppgram_alias(converters: Path,
                                                             path: str) -> None:
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed, 1 skipped" in result.output
    assert "images not supported" in result.output


@pytest.mark.parametrize("name", ["drops_zone", "drops_zone_duck"])
def test_converter_dropping_the_time_zone_fails_with_that_reason(converters: Path,
                                                                 name: str) -> None:
    failed = failures(check(name))
    assert failed["from_customer"] == (
        "time lost its time zone: sent 2026-11-26 04:00:00.123456+00:00, "
        "got naive 2026-11-26 04:00:00.123456"
    )
    assert failed["time zone +05:30"] == (
        "time lost its time zone: sent 2026-11-26 09:30:00.123456+05:30, "
        "got naive 2026-11-26 09:30:00.123456"
    )


def test_converter_reading_local_time_as_utc_fails_only_off_utc(converters: Path) -> None:
    failed = failures(check("reads_local_as_utc"))
    assert set(failed) == {"time zone +05:30", "time zone -08:00"}
    assert failed["time zone +05:30"].startswith(
        "time moved by its UTC offset (+5:30:00): the offset was dropped and the local "
        "time read as UTC: sent 2026-11-26 09:30:00.123456+05:30, got 2026-11-26 "
        "09:30:00.123456+00:00"
    )


def test_converter_dropping_microseconds_fails_with_that_reason(converters: Path) -> None:
    failed = failures(check("drops_micros"))
    assert failed["rated"] == (
        "time lost its microseconds: sent 2026-11-26 04:00:00.123456+00:00, "
        "got 2026-11-26 04:00:00+00:00"
    )


def test_converter_dropping_the_text_fails_with_that_reason(converters: Path) -> None:
    results = check("drops_text")
    failed = failures(results)
    assert failed["from_customer"] == "text dropped: sent 'hello', got None"
    assert failed["empty text from agent"] == "text dropped: sent '', got None"
    assert failed["long text (10,000 characters)"].startswith(
        "text dropped: sent 'My order has not arrived")
    assert results["postponed, no text"].passed and results["resolved, no text"].passed


def test_text_changed_by_unicode_normalisation_is_named(converters: Path) -> None:
    failed = failures(check("composes_marks"))
    assert set(failed) == {"combining marks"}
    assert failed["combining marks"].startswith(
        "text changed its Unicode normalisation (combining marks composed or split): "
        "sent 'Cafe\\u0301 n\\u0303 ")
    assert "got 'Caf\\xe9 \\xf1 " in failed["combining marks"]


def test_truncated_text_says_how_much_is_left(converters: Path) -> None:
    assert failures(check("truncates")) == {
        "long text (10,000 characters)": "text cut to 4,096 of 10,000 characters"}


def test_output_over_32_kib_fails_the_long_case_with_the_size(converters: Path) -> None:
    failed = failures(check("pads_output"))
    assert set(failed) == {"long text (10,000 characters)"}
    assert "outgoing JSON is too big to publish" in failed["long text (10,000 characters)"]
    assert "over PubNub's 32 KiB limit (32,768 bytes)" in failed["long text (10,000 characters)"]


def test_output_that_is_not_json_fails(converters: Path) -> None:
    failed = failures(check("returns_datetime"))
    assert len(failed) == len(builtin_corpus())
    assert failed["from_agent"].startswith(
        "convert_to_pubnub returned data that is not JSON-serialisable: TypeError")


def test_a_converter_raising_on_decode_is_reported_not_a_crash(converters: Path) -> None:
    results = check("raises_on_decode")
    failed = failures(results)
    assert failed["from_agent"] == (
        "convert_from_pubnub raised RuntimeError: boom [bold]x[/] \x1b[2J "
        "(raises_on_decode.py:14)")  # where, in the converter's own file
    assert results["rated"].skipped  # a kind Suppgram lacks: not known, not a failure
    result = run("raises_on_decode.Converter")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "boom [bold]x[/]" in result.output  # shown as text, not markup
    assert "\x1b" not in result.output and "0 passed, 17 failed, 1 skipped" in result.output


def test_images_round_trip_when_the_converter_sends_them(converters: Path) -> None:
    results = check("sends_images")
    assert all(result.passed and not result.skipped for result in results.values())
    assert failures(check("corrupts_images")) == {
        "image (PNG, no text)": "image changed: sent 70 bytes, got 69 different bytes"}


def test_a_converter_dropping_images_silently_is_a_warning(converters: Path) -> None:
    image = check("drops_text")["image (PNG, no text)"]  # it ignores the image field
    assert image.passed and image.skipped
    assert image.reason == ("images not supported: the image was dropped silently "
                            "(image dropped: sent 70 bytes, got None)")


# -- the size PubNub counts --


def test_publish_size_counts_url_encoded_channel_json_and_envelope() -> None:
    assert publish_size('{"text": "a b"}', channel="ch") == len("ch") + len(
        "%7B%22text%22%3A%20%22a%20b%22%7D") + 100
    assert publish_size('"~"', channel="a b") == len("a%20b") + len("%22~%22") + 100
    assert PUBLISH_LIMIT_BYTES == 32768


# -- samples --


def test_good_sample_decodes_and_round_trips(tmp_path: Path) -> None:
    path = write_sample(tmp_path, "hello.json", {
        "kind": "from_customer", "time": "2026-11-26T09:30:00.000001+0530", "text": "hi"})
    result = check_converter(DefaultMessageConverter(), [load_sample(path)])[-1]
    assert result == CheckResult(
        "sample hello.json", True,
        "decoded from_customer at 2026-11-26 04:00:00.000001+00:00, text 'hi'; "
        "re-encodes to the same message")


def test_sample_that_does_not_decode_fails(tmp_path: Path) -> None:
    path = write_sample(tmp_path, "bad.json", {"kind": "from_customer", "text": "hi"})
    result = check_converter(DefaultMessageConverter(), [load_sample(path)])[-1]
    assert not result.passed
    assert result.reason == "does not decode: convert_from_pubnub found it undecodable: " \
                            "the message has no 'time'"


def test_sample_that_does_not_round_trip_fails(converters: Path, tmp_path: Path) -> None:
    path = write_sample(tmp_path, "hello.json", {
        "kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"})
    result = check("drops_text", [load_sample(path)])["sample hello.json"]
    assert not result.passed
    assert result.reason.endswith(
        "re-encoding and decoding again: text dropped: sent 'hi', got None")


def test_sample_file_holds_one_payload_even_an_array(tmp_path: Path) -> None:
    path = write_sample(tmp_path, "array.json", [{"kind": "from_customer"}])
    assert load_sample(path) == Sample("array.json", [{"kind": "from_customer"}])
    result = check_converter(DefaultMessageConverter(), [load_sample(path)])[-1]
    assert "expected a JSON object" in result.reason and not result.passed


def test_unreadable_samples_are_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{'kind': 1}", encoding="utf-8")
    with pytest.raises(SampleError, match=r"'.*broken.json' is not JSON: .* line 1, column 2"):
        load_sample(tmp_path / "broken.json")
    with pytest.raises(SampleError, match="does not exist"):
        load_sample(tmp_path / "missing.json")


# -- exit codes --


def test_exit_codes(converters: Path, tmp_path: Path) -> None:
    good = write_sample(tmp_path, "good.json", {
        "kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000", "text": "hi"})
    bad = write_sample(tmp_path, "bad.json", {"kind": "nope"})
    (tmp_path / "not.json").write_text("not json", encoding="utf-8")

    assert run(DEFAULT_CONVERTER_PATH, str(good)).exit_code == 0
    assert run(DEFAULT_CONVERTER_PATH, str(good), str(bad)).exit_code == 1
    assert run("drops_text.Converter").exit_code == 1

    result = run("no_such_module.Converter")
    assert result.exit_code == 2
    assert result.output == (
        "Error: Cannot load converter 'no_such_module.Converter': there is no module named "
        "'no_such_module' (is it installed, or is its directory on PYTHONPATH?).\n")
    result = run(DEFAULT_CONVERTER_PATH, str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "does not exist" in result.output
    result = run(DEFAULT_CONVERTER_PATH, str(tmp_path / "not.json"))
    assert result.exit_code == 2 and "is not JSON" in result.output
    assert run().exit_code == 2


def test_failure_table_names_case_and_reason(converters: Path) -> None:
    result = CliRunner().invoke(main, ["check-converter", "drops_text.Converter"],
                                env={"COLUMNS": "200"})
    line = next(line for line in result.output.splitlines() if "from_customer " in line)
    assert "FAIL" in line and "text dropped: sent 'hello', got None" in line
