"""Issue 12, items 14-17: what an agent reads at 80 columns, the narrowest usual terminal,
and at the other sizes agents use (100x30, 120x40).

Where "cut" has to be judged, the same console is widened to 200 columns (the window
dragged wider: a new tty size and SIGWINCH) and what it shows there is the reference:
whatever it says at 200 columns must not lose words at 80.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.terminal

KEY_TOKEN = re.compile(r"(\^\S|(ctrl|alt|shift|meta)\+\S+|f\d{1,2}|esc(ape)?|enter|tab)",
                       re.IGNORECASE)
"""How Textual's footer names a key: `^p`, `alt+↑`, `f2`, `ctrl+q`, `esc`…"""
BORDERS = re.compile("[\u2500-\u259f]")
"""Box-drawing and block characters: borders, tab underlines, scrollbars."""


def footer_tokens(row: str) -> list[str]:
    return row.replace("▏", " ").split()


def body_text(view) -> str:
    """The words on screen outside the status line, footer and input boxes, pane by pane
    (each pane's rows joined), whitespace collapsed."""
    panes: list[str] = []
    for index in range(max(row.count("│") + 1 for row in view.body_rows())):
        kept = [BORDERS.sub(" ", row) for row in view.pane(index)
                if "▊" not in row and "▎" not in row]
        panes.append(" ".join(" ".join(kept).split()))
    return "\n".join(panes)


def sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in re.split(r"(?<=[.!?])\s+", line) if s]


SIZES = [(80, 24), (100, 30), (120, 40)]


@pytest.mark.parametrize(("columns", "rows"), SIZES)
async def test_header_shows_state_and_assignee_first(console, customers, columns, rows):
    await customers("customer-7f3a9c21", "my order is late")  # ids are often this long
    view = await console(columns, rows)
    await view.wait_until(lambda: "my order is late" in view.transcript_text(), 20, "open")
    header = await view.terminal.wait_stable(lambda: view.header)
    state = re.search(r"\bnew\b", header, re.IGNORECASE)
    assignee = re.search(r"\bunassigned\b", header, re.IGNORECASE)
    channel = header.find("customer-7f3a9c21-support")
    assert state and assignee and (channel < 0 or channel > max(state.end(),
                                                                assignee.end())), \
        f"header at {columns} columns: {header!r}"


async def test_header_at_80_columns_says_who_else_is_viewing(console, customers):
    await customers("customer-7f3a9c21", "my order is late")
    ann = await console(80, 24)
    bob = await console(120, 40, agent="bob")
    for view in (ann, bob):
        await view.wait_until(lambda v=view: "my order is late" in v.list_text(), 20, "listed")
        view.key("enter")
        await view.wait_until(lambda v=view: "my order is late" in v.transcript_text(), 20,
                              "open")
    header = await ann.wait_until(lambda: "bob is viewing" in ann.header and ann.header, 20,
                                  "ann's header names bob")
    assert re.match(r"new · unassigned · bob is viewing\b", header), header


@pytest.mark.parametrize(("columns", "rows"), SIZES)
async def test_footer_cuts_nothing_mid_word(console, columns, rows):
    view = await console(columns, rows)
    narrow = await view.terminal.wait_stable(lambda: view.footer_row)
    await view.terminal.resize(200, 24)
    wide = view.footer_row
    known = set(footer_tokens(wide))
    tokens = footer_tokens(narrow)
    foreign = [token for token in tokens if token not in known]
    unlabelled = [key for key, after in zip(tokens, tokens[1:] + [""], strict=True)
                  if KEY_TOKEN.fullmatch(key) and (not after or KEY_TOKEN.fullmatch(after))]
    assert not foreign and not unlabelled, \
        f"footer at {columns} columns: {narrow.rstrip()!r}; cut or stray: {foreign!r}; " \
        f"keys without their label: {unlabelled!r} (at 200 columns: {wide.rstrip()!r})"
    needed = ["^g Claim", "^r Resolve", "^n Unread", "f1 Help"]  # and F1 tells the rest
    assert all(key in narrow for key in needed), \
        f"footer at {columns} columns lacks one of {needed}: {narrow.rstrip()!r}"
    for key in ("f4 Simulator", "^q Quit", "f1 Help"):
        assert key in wide, f"footer at 200 columns lacks {key}: {wide.rstrip()!r}"


@pytest.mark.parametrize(("columns", "rows"), SIZES[:2])
async def test_empty_state_is_whole_and_mentions_f4(console, columns, rows):
    view = await console(columns, rows)
    await view.wait_for_text("No conversation")
    narrow = await view.terminal.wait_stable(lambda: body_text(view))
    await view.terminal.resize(200, 24)
    wide = body_text(view)
    flat = " ".join(narrow.split())
    missing = [sentence for sentence in sentences(wide) if sentence not in flat]
    assert not missing and re.search(r"\bF4\b", narrow, re.IGNORECASE), \
        f"empty state at {columns}x{rows}: {narrow!r}; at 200 columns: {wide!r}; " \
        f"cut: {missing!r}"
