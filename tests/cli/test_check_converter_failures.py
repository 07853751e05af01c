"""`check-converter` on converters that raise, return the wrong type or hang (issue 13
items 2 and 17): each case says where in the converter it failed, a hang costs one case
two seconds, and the run goes on."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from suppgram_tui.cli import main
from tests.helpers import failing_converters as conv


@pytest.fixture
def converters(tmp_path):
    yield tmp_path
    conv.forget(tmp_path, "ascii_only", "hangs", "wrong_types")


def run(path: str, *args: str):
    return CliRunner().invoke(main, ["check-converter", path, "--format", "json", *args],
                              env={"COLUMNS": "300"})


def cases(result) -> dict[str, dict]:
    return {case["name"]: case for case in json.loads(result.output)["cases"]}


def test_an_exception_is_reported_with_the_converters_file_and_line(converters):
    result = run(conv.write_converter(converters, "ascii_only", conv.ASCII_ONLY))
    assert result.exit_code == 1, result.output
    where = conv.where("ascii_only", conv.ASCII_ONLY, "RAISES")
    emoji = cases(result)["emoji"]
    assert emoji["result"] == "fail"
    assert emoji["details"].startswith("convert_to_pubnub raised UnicodeEncodeError: 'ascii' "
                                       "codec can't encode")
    assert emoji["details"].endswith(f"({where})")
    assert cases(result)["from_customer"]["result"] == "pass"  # one case, not the run


def test_a_hang_fails_its_case_after_two_seconds_and_the_run_goes_on(converters):
    started = time.monotonic()
    result = run(conv.write_converter(converters, "hangs", conv.HANGS))
    took = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert took < 15, took  # one hanging case (resolved), not 30 s
    resolved = cases(result)["resolved, no text"]
    assert resolved["result"] == "fail"
    assert resolved["details"] == ("convert_to_pubnub did not finish within 2 s and was "
                                   "stopped at "
                                   + conv.where("hangs", conv.HANGS, "HANGS ENCODING"))
    assert cases(result)["from_customer"]["result"] == "pass"


def test_a_wrong_type_is_said_in_words(converters):
    result = run(conv.write_converter(converters, "wrong_types", conv.WRONG_TYPES))
    assert result.exit_code == 1
    assert cases(result)["from_agent"]["details"].startswith(
        "convert_to_pubnub returned data that is not JSON-serialisable: TypeError: Object of "
        "type set is not JSON serializable")


DECODE_HANGS = """
    import time

    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        def convert_from_pubnub(self, message):
            time.sleep(30)  # HANGS ON EVERY MESSAGE
"""


def test_three_hangs_in_a_row_stop_the_asking_and_the_report_says_so(converters):
    started = time.monotonic()
    result = run(conv.write_converter(converters, "hangs", DECODE_HANGS))
    took = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert took < 9, took  # three hangs of 2 s, not one per case
    report = json.loads(result.output)
    tried, rest = report["cases"][:3], report["cases"][3:]
    assert [case["result"] for case in tried] == ["fail"] * 3
    assert all("did not finish within 2 s" in case["details"] for case in tried)
    assert rest and all(case["result"] == "skip" and case["details"] == (
        "not tried: the converter hung on 3 cases in a row; fix it and run the check again")
        for case in rest)
    assert report["failed"] == 3


def test_a_converter_that_refuses_common_symbols_fails_a_case_of_its_own(converters):
    source = conv.ASCII_ONLY.replace('.encode("ascii").decode()',
                                     '.replace("€", "EURO") if False else message.text\n'
                                     '            if "€" in (message.text or ""):\n'
                                     '                raise ValueError("no euro sign")')
    result = run(conv.write_converter(converters, "ascii_only", source))
    assert result.exit_code == 1, result.output
    failed = [name for name, case in cases(result).items() if case["result"] == "fail"]
    assert failed == ["common symbols"]
    assert "ValueError: no euro sign" in cases(result)["common symbols"]["details"]
