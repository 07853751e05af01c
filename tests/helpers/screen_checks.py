"""What reaches the terminal from the current screen, and checks that outside text in it
stayed text: no foreign escape sequence, no link, no click action it did not come with."""

from __future__ import annotations

import re
from typing import Any

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*[mHK]")
"""What Textual itself writes to the terminal: colours (SGR), cursor moves, line clears."""
HOSTILE_ACTIONS = re.compile(r"quit|screenshot|bell|open_url", re.IGNORECASE)
"""Actions a hostile `[@click=...]` names; Textual's own click targets (footer keys,
palette rows) never do."""


def squash(text: str) -> str:
    """Without whitespace: what wrapping a line in the pane cannot change."""
    return re.sub(r"\s+", "", text)


def screen_update(app: Any) -> Any:
    return app.screen._compositor.render_update(full=True)


def screen_text(app: Any) -> str:
    """Every character of every segment on screen: panes, header, footer and toasts."""
    return "\n".join("".join(segment.text for strip in line for segment in strip
                             if not segment.control)
                     for line in screen_update(app).strips)


def assert_clean(text: str, where: str) -> None:
    found = UNSAFE.search(text)
    assert found is None, (f"{where} carries {found.group()!r} raw: "
                           f"{text[max(found.start() - 40, 0): found.end() + 40]!r}")


def assert_terminal_clean(app: Any, where: str) -> None:
    """The bytes Textual would write now hold only its own escape sequences."""
    output = screen_update(app).render_segments(app.console)
    leftover = OWN_SEQUENCES.sub("", output)
    assert "\x1b" not in leftover, f"{where}: foreign escape sequence in terminal output"
    assert_clean(leftover.replace("\n", " "), f"{where} (terminal output)")


def assert_no_markup_obeyed(app: Any, where: str) -> None:
    """No segment on screen links anywhere or clicks to an action markup would name."""
    for line in screen_update(app).strips:
        for strip in line:
            for segment in strip:
                style = segment.style
                if style is None:
                    continue
                assert not style.link, f"{where}: a link to {style.link!r} ({segment.text!r})"
                click = str((style.meta or {}).get("@click", ""))
                assert not HOSTILE_ACTIONS.search(click), \
                    f"{where}: {segment.text!r} clicks to {click!r}"
