"""Ctrl+L's reload (issue 13 item 6): the module once, every side a fresh instance, and
a report that says exactly what was reloaded and what was not."""

from __future__ import annotations

import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from suppgram_tui.converters import ConverterLike, DefaultMessageConverter, encode_message
from suppgram_tui.converters.reloading import reload_for
from suppgram_tui.model import Message, MessageKind
from tests.helpers import failing_converters as conv

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)
SOURCE = """
    from suppgram_tui.converters import DefaultMessageConverter
    from tone_helpers import shout

    PREFIX = "{prefix}"


    class {name}(DefaultMessageConverter):
        def convert_to_pubnub(self, message):
            payload = super().convert_to_pubnub(message)
            payload["text"] = PREFIX + shout(message.text or "")
            return payload
"""


class Side:
    """The console or the simulator, as the reload sees them."""

    def __init__(self, role: str, converter: ConverterLike) -> None:
        self.converter_role = role
        self.converter = converter

    def use_converter(self, converter: ConverterLike) -> None:
        self.converter = converter


def text_of(side: Side) -> str:
    return encode_message(side.converter, Message(MessageKind.FROM_AGENT, NOW, "hi")).message[
        "text"]


@pytest.fixture
def sides(tmp_path: Path):
    (tmp_path / "tone_helpers.py").write_text("def shout(text):\n    return text.upper()\n")
    path = conv.write_converter(tmp_path, "live", SOURCE.format(prefix="one:", name="Converter"))
    from suppgram_tui.converters import load_converter
    console = Side("the console", load_converter(path))
    simulator = Side("the simulator", load_converter(path))
    yield tmp_path, console, simulator
    conv.forget(tmp_path, "live", "tone_helpers")


def edit(directory: Path, text: str) -> None:
    time.sleep(0.01)
    (directory / "live.py").write_text(textwrap.dedent(text), encoding="utf-8")


def test_both_sides_get_the_edited_converter_at_once_and_helpers_are_named(sides):
    directory, console, simulator = sides
    old_class = type(console.converter)
    edit(directory, SOURCE.format(prefix="two:", name="Converter"))
    report = reload_for([console, simulator])
    assert report.ok
    assert report.text == (
        "Reloaded live.Converter from live.py for the console and the simulator. "
        "Not reloaded: module tone_helpers (shout) (imported by it; restart to pick up "
        "edits there).")
    assert text_of(console) == text_of(simulator) == "two:HI"
    assert type(console.converter) is type(simulator.converter) is not old_class
    assert console.converter is not simulator.converter


def test_a_file_that_no_longer_imports_changes_nothing(sides):
    directory, console, simulator = sides
    before = console.converter
    edit(directory, SOURCE.format(prefix="two:", name="Converter") + "\n    def broken(:\n")
    report = reload_for([console, simulator])
    assert not report.ok
    assert report.text.startswith("Cannot reload live.Converter: re-importing live raised "
                                  "SyntaxError")
    assert "(live.py:" in report.text
    assert ", line " not in report.text  # the place once, not also in Python's words
    assert report.text.endswith("Still running live.Converter as it was, for the console and "
                                "the simulator.")
    assert console.converter is before
    assert text_of(console) == text_of(simulator) == "one:HI"  # old globals, not half-new


def test_a_renamed_class_is_said_and_the_old_one_keeps_running(sides):
    directory, console, simulator = sides
    edit(directory, SOURCE.format(prefix="two:", name="LiveConverter"))
    report = reload_for([console, simulator])
    assert not report.ok
    assert report.text == (
        "Cannot reload live.Converter: module 'live' no longer has a class 'Converter' "
        "(renamed? it now has LiveConverter: restart with --pubnub-message-converter "
        "live.LiveConverter). Still running live.Converter as it was, for the console and "
        "the simulator.")
    assert text_of(console) == text_of(simulator) == "one:HI"


def test_a_rename_suggests_the_class_new_since_the_last_import_not_an_old_one(sides):
    directory, console, simulator = sides
    edit(directory, SOURCE.format(prefix="one:", name="Converter")
         + SOURCE.format(prefix="one:", name="Hang").split("\n\n\n")[-1])
    assert reload_for([console, simulator]).ok
    edit(directory, SOURCE.format(prefix="two:", name="Hang").split("\n\n\n")[0] + "\n\n\n"
         + SOURCE.format(prefix="two:", name="Hang").split("\n\n\n")[-1]
         + SOURCE.format(prefix="two:", name="Converter2").split("\n\n\n")[-1])
    report = reload_for([console, simulator])
    assert not report.ok
    assert "(renamed? it now has Hang and Converter2: restart with " \
        "--pubnub-message-converter live.Converter2)" in report.text


def test_a_rename_with_two_new_classes_suggests_none(sides):
    directory, console, simulator = sides
    edit(directory, SOURCE.format(prefix="two:", name="A").split("\n\n\n")[0] + "\n\n\n"
         + SOURCE.format(prefix="two:", name="A").split("\n\n\n")[-1]
         + SOURCE.format(prefix="two:", name="B").split("\n\n\n")[-1])
    report = reload_for([console, simulator])
    assert not report.ok
    assert "(renamed? it now has A and B). Still running" in report.text


def test_a_constant_taken_from_a_helper_names_the_helper(sides):
    directory, console, simulator = sides
    (directory / "symbols.py").write_text('BAD = "€"\n', encoding="utf-8")
    edit(directory, SOURCE.format(prefix="two:", name="Converter").replace(
        "from tone_helpers import shout", "from symbols import BAD\n    shout = str.upper"))
    try:
        report = reload_for([console, simulator])
    finally:
        conv.forget(directory, "symbols")
    assert report.ok
    assert "Not reloaded: module symbols (BAD)" in report.text


def test_a_constructor_that_raises_changes_nothing(sides):
    directory, console, simulator = sides
    edit(directory, SOURCE.format(prefix="two:", name="Converter")
         + "\n        def __init__(self):\n            raise RuntimeError('no config')\n")
    report = reload_for([console, simulator])
    assert not report.ok
    assert report.text.startswith("creating Converter() raised RuntimeError: no config "
                                  "(live.py:")
    assert text_of(console) == "one:HI"


def test_our_own_converter_is_not_reimported():
    console = Side("the console", DefaultMessageConverter())
    report = reload_for([console])
    assert report.ok and report.text == (
        "suppgram_tui.converters.default.DefaultMessageConverter is suppgram-tui's own "
        "converter: nothing to re-import; the console got a fresh instance.")
