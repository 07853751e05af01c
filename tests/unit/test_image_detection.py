"""textual-image's own detection, in a real pseudo-terminal that answers as a Sixel
terminal, as Kitty, or as a terminal without graphics: the console's protocol is what
textual-image found (issue 14 item 10)."""

from __future__ import annotations

import os
import re
import sys
import time

import pytest

ptyprocess = pytest.importorskip("ptyprocess")

CODE = ("from suppgram_tui.ui.images import detect_image_protocol; "
        "print('PROTOCOL', detect_image_protocol())")
TGP_QUERY = re.compile(rb"\x1b_Gi=(\d+),[^;]*;AAAA\x1b\\")


def detect(answers: dict[str, bool], env: dict[str, str] | None = None) -> tuple[str, bytes]:
    """Run the detection in a pty; answer textual-image's queries as `answers` says."""
    process = ptyprocess.PtyProcess.spawn([sys.executable, "-c", CODE], dimensions=(24, 80),
                                          env={**os.environ, **(env or {})})
    seen, answered = b"", set()
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            try:
                seen += process.read(1024)
            except EOFError:
                break
            if b"\x1b[c" in seen and "da1" not in answered:
                answered.add("da1")
                process.write(b"\x1b[?62;4;22c" if answers.get("sixel") else b"\x1b[?62;22c")
            if (query := TGP_QUERY.search(seen)) and "tgp" not in answered:
                answered.add("tgp")
                if answers.get("kitty"):
                    process.write(b"\x1b_Gi=" + query.group(1) + b";OK\x1b\\")
            if b"\x1b[16t" in seen and "cell" not in answered:
                answered.add("cell")
                process.write(b"\x1b[6;20;10t")
            if re.search(rb"PROTOCOL \w+\r?\n", seen):
                break
    finally:
        process.terminate(force=True)
    found = re.search(rb"PROTOCOL (\w+)", seen)
    assert found, seen
    return found.group(1).decode(), seen


@pytest.mark.parametrize("answers, protocol", [
    ({"sixel": True}, "sixel"),
    ({"kitty": True}, "kitty"),
    ({}, "None"),
])
def test_the_protocol_is_what_textual_image_detects(answers, protocol):
    assert detect(answers)[0] == protocol


def test_images_off_asks_the_terminal_nothing():
    protocol, seen = detect({"sixel": True}, env={"SUPPGRAM_TUI_IMAGES": "off"})
    assert protocol == "None" and b"\x1b[c" not in seen
