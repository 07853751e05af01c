"""A sidebar row drawn from segments is the row Rich's `Text` drew: same cells, same styles."""

from __future__ import annotations

import itertools

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from suppgram_tui.ui.widgets.conversation_row import Piece, two_sided, two_sided_line

BASE = Style(bgcolor="blue")
BOLD, DIM, BADGE = Style(bold=True), Style(dim=True), Style(bgcolor="red", bold=True)
LEFTS: list[list[Piece]] = [
    [("● ", DIM), ("Alice Customer", BOLD), (" ", None), (" 12 ", BADGE)],
    [("○ ", DIM), ("x" * 60, None)],
    [("● ", DIM), ("王小明的客户服务对话很长很长很长", BOLD)],
    [("  ", None), ("😀 emoji and ✓ marks, tab\tand bell\x07 inside", DIM)],
    [("", None)],
]
RIGHTS: list[list[Piece]] = [[], [("typing… ", DIM), ("3m", DIM)],
                             [(" @agent-with-a-long-name #vip #refund", DIM)], [("中文标签", DIM)]]


def cells(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


def as_text(pieces: list[Piece]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for part, style in pieces:
        text.append(part, style or Style())
    return text


@pytest.mark.parametrize(("left", "right"), itertools.product(LEFTS, RIGHTS))
def test_segments_match_rich_text_at_every_width(left: list[Piece],
                                                 right: list[Piece]) -> None:
    console = Console(width=200)
    for width in range(2, 90):
        old = two_sided_line(as_text(left), as_text(right), width, BASE, console)
        new = two_sided(left, right, width, BASE)
        assert new.cell_length == width
        assert cells(new) == cells(old), width


def test_a_long_customer_id_is_cut_before_the_unread_badge_never_the_badge() -> None:
    """Seen by a new user: "● jane.doe-longname-cust… 19s" with its unread count gone,
    where short ids showed theirs."""
    from datetime import datetime, timezone

    from suppgram_tui.inbox import Conversation
    from suppgram_tui.ui.widgets.conversation_row import render_row

    view = Conversation("jane.doe-longname-customer-7f3a9c21-acme-support",
                        customer_id="jane.doe-longname-customer-7f3a9c21-acme", unread=2)
    for width in (28, 40, 60):
        first, _ = render_row(view, lambda name: Style(), selected=False, width=width,
                              now=datetime.now(timezone.utc), console=Console(width=200))
        text = first.text
        assert first.cell_length == width
        assert " 2 " in text, (width, text)
        assert "jane.doe" in text, (width, text)
        assert ("…" in text) == (width < 60), (width, text)  # the id cut where it must be
    wide, _ = render_row(view, lambda name: Style(), selected=False, width=80,
                         now=datetime.now(timezone.utc), console=Console(width=200))
    assert "jane.doe-longname-customer-7f3a9c21-acme  2 " in wide.text
