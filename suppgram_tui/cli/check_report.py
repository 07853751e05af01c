"""`check-converter`'s results as a table for people, or JSON or JUnit XML for CI."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from suppgram_tui.converters.checking import CheckResult
from suppgram_tui.text import visible


def outcome(result: CheckResult) -> str:
    return "skip" if result.skipped else "pass" if result.passed else "fail"


def counts(results: list[CheckResult]) -> dict[str, int]:
    tally = {"passed": 0, "failed": 0, "skipped": 0}
    for result in results:
        tally[{"pass": "passed", "fail": "failed", "skip": "skipped"}[outcome(result)]] += 1
    return tally


def json_report(converter_path: str, results: list[CheckResult]) -> str:
    """One JSON object: the converter, the counts and every case with its details."""
    return json.dumps({
        "converter": converter_path, **counts(results),
        "cases": [{"name": result.name, "result": outcome(result), "details": result.reason}
                  for result in results],
    }, ensure_ascii=False, indent=2)


def junit_report(converter_path: str, results: list[CheckResult]) -> str:
    """A JUnit XML test suite, one test case per check, as CI systems read it."""
    tally = counts(results)
    suite = ElementTree.Element("testsuite", name="check-converter", tests=str(len(results)),
                                failures=str(tally["failed"]), errors="0",
                                skipped=str(tally["skipped"]))
    ElementTree.SubElement(ElementTree.SubElement(suite, "properties"), "property",
                           name="converter", value=_xml_text(converter_path))
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", classname=_xml_text(converter_path),
                                      name=_xml_text(result.name))
        details = _xml_text(result.reason)
        if result.skipped:
            ElementTree.SubElement(case, "skipped", message=details)
        elif not result.passed:
            ElementTree.SubElement(case, "failure", message=details).text = details
        elif details:
            ElementTree.SubElement(case, "system-out").text = details
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        suite, encoding="unicode")


def _xml_text(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: show them as the
    console does."""
    return visible(text, keep_newlines=False)


def print_table(converter_path: str, results: list[CheckResult]) -> None:
    """A table on stdout; every converter-produced word is plain text, never markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"check-converter {visible(converter_path)}"), title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("details", overflow="fold")
    styles = {"skip": ("skip", "yellow"), "pass": ("pass", "green"),
              "fail": ("FAIL", "bold red")}
    for result in results:
        word, style = styles[outcome(result)]
        table.add_row(Text(visible(result.name, keep_newlines=False)), Text(word, style=style),
                      Text(visible(result.reason, keep_newlines=False)))
    tally = counts(results)
    console = Console(highlight=False)
    console.print(table)
    console.print(Text(f"{tally['passed']} passed, {tally['failed']} failed, "
                       f"{tally['skipped']} skipped"))
