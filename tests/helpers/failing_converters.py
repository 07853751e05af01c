"""Converters that fail the ways real ones do (issue 13 items 1 and 2), as files on disk,
so a failure's file and line can be checked against the source."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from suppgram_tui.converters import ConverterLike, load_converter

ASCII_ONLY = """
    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        \"\"\"A legacy app's converter whose gateway is ASCII only.\"\"\"

        def convert_to_pubnub(self, message):
            payload = super().convert_to_pubnub(message)
            payload["text"] = (message.text or "").encode("ascii").decode()  # RAISES
            return payload
"""

NO_NOTICES = """
    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        \"\"\"Cannot encode resolved and postponed notices.\"\"\"

        def convert_to_pubnub(self, message):
            if message.kind.value in ("resolved", "postponed"):
                raise KeyError(message.kind.value)  # RAISES
            return super().convert_to_pubnub(message)
"""

WRONG_TYPES = """
    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        \"\"\"Returns what no app can receive, and reads payloads into dicts.\"\"\"

        def convert_to_pubnub(self, message):
            if message.kind.value == "from_customer":
                return super().convert_to_pubnub(message)
            return {"text", message.text or ""}  # a set: not JSON

        def convert_from_pubnub(self, message):
            if message.message.get("text") == "odd":
                return dict(message.message)  # not a Message
            return super().convert_from_pubnub(message)
"""

HANGS = """
    import time

    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        \"\"\"Hangs on "slow", and swallows what it can while it does.\"\"\"

        def convert_to_pubnub(self, message):
            if "slow" in (message.text or "") or message.kind.value == "resolved":
                try:
                    time.sleep(30)  # HANGS ENCODING
                except Exception:
                    pass
            return super().convert_to_pubnub(message)

        def convert_from_pubnub(self, message):
            if message.message.get("text") == "slow":
                time.sleep(30)  # HANGS DECODING
            return super().convert_from_pubnub(message)
"""

RAISES_ON_DECODE = """
    from suppgram_tui.converters import DefaultMessageConverter


    class Converter(DefaultMessageConverter):
        def convert_from_pubnub(self, message):
            if message.message.get("text") == "boom":
                return message.message["no such field"]  # RAISES
            return super().convert_from_pubnub(message)
"""


def write_converter(directory: Path, name: str, source: str) -> str:
    """Write `source` as `directory/name.py`, importable; its path "name.Converter"."""
    (directory / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    sys.modules.pop(name, None)
    return f"{name}.Converter"


def load(directory: Path, name: str, source: str) -> ConverterLike:
    return load_converter(write_converter(directory, name, source))


def where(name: str, source: str, marker: str) -> str:
    """``name.py:N``: the line of `source` that holds `marker`, as failures say it."""
    lines = textwrap.dedent(source).splitlines()
    number = next(i for i, line in enumerate(lines, 1) if marker in line)
    return f"{name}.py:{number}"


def forget(directory: Path, *names: str) -> None:
    for name in names:
        sys.modules.pop(name, None)
    if str(directory) in sys.path:
        sys.path.remove(str(directory))
