"""Outside text is shown, never obeyed, and never moves the layout (issue 11, items 17-18)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from suppgram_tui.text import one_line, visible


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\u2028b\u2029c", "a<U+2028>b<U+2029>c"),  # separators: a line break no widget expects
    ("pay\U000e0041\U000e0042", "pay<U+E0041><U+E0042>"),  # tag characters carry hidden text
    ("z" + "\u200d" * 40 + "w", "z<U+200D×40>w"),  # a flood of joiners
    ("v" + "\ufe0f" * 9, "v<U+FE0F×9>"),  # a flood of selectors
])
def test_invisible_characters_are_shown(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_keycap_sequences_measure_the_same_everywhere() -> None:
    """`#` + U+FE0F is one cell to Rich and two to many terminals: 30 of them moved the
    sidebar border. Without the selector both agree on one cell each."""
    row = one_line("#\ufe0f" * 30 + " 1\ufe0f\u20e3 done", 200)
    assert "\ufe0f" not in row and "\ufe0e" not in row
    assert cell_len(row) == len(row.replace("\u20e3", ""))


def test_ordinary_emoji_and_joined_emoji_stay() -> None:
    assert visible("family 👨\u200d👩\u200d👧 ❤ ok") == "family 👨\u200d👩\u200d👧 ❤ ok"
