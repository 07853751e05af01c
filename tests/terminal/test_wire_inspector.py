"""The simulator's wire inspector in a real terminal (issue 13 item 17): toasts stay off
its detail pane at 80x24 (the wire log under the chat, F2) and 120x40 (beside it), and
after rating from the wire log the next line typed reaches the customer's composer.

An agent's inbox (`ann`, the console's own code) on the same server says what arrived.
"""

from __future__ import annotations

import pytest

from tests.helpers.inbox_harness import InboxHarness

from .console_view import TOAST_EDGE
from .harness import Terminal, ctrl
from .test_simulator import ann, simulate  # noqa: F401  (fixtures)

pytestmark = pytest.mark.terminal

DETAIL_TOP = "▸ What"


def detail_area(terminal: Terminal) -> tuple[int, int]:
    """The detail pane's first row and left column (its text starts one cell in)."""
    for index, line in enumerate(terminal.screen_lines()):
        if DETAIL_TOP in line:
            return index, max(0, line.index(DETAIL_TOP) - 1)
    raise AssertionError(f"no detail pane:\n{terminal.screen_text()}")


@pytest.mark.parametrize("columns, rows, f2", [(80, 24, True), (120, 40, False)])
async def test_toasts_never_cover_the_detail_pane(simulate, ann: InboxHarness,  # noqa: F811
                                                  columns: int, rows: int, f2: bool):
    terminal = await simulate("dana", columns, rows)
    if f2:
        terminal.key("f2")
    terminal.type_burst("hello\r")
    await terminal.wait_until(lambda: ann.texts("dana-support") == ["hello"], 20,
                              "ann hears dana")
    await terminal.wait_for_text(DETAIL_TOP)
    top, left = detail_area(terminal)
    for _ in range(4):  # each reload says so in a toast: four of them stack
        terminal.write(ctrl("l"))
    # the built-in converter is not re-imported, only handed out fresh: the toast says so
    await terminal.wait_until(lambda: "suppgram-tui's" in terminal.screen_text(), 20,
                              "the reload toasts")
    lines = await terminal.wait_stable(lambda: terminal.screen_lines())
    covered = [index for index in range(top, rows - 1) if TOAST_EDGE in lines[index][left:]]
    assert not covered, (f"toasts on rows {covered} of the detail pane (rows {top}-"
                         f"{rows - 2}, from column {left}):\n{terminal.screen_text()}")
    assert DETAIL_TOP in terminal.screen_text()  # the pane is still all there
    composer = next(i for i, line in enumerate(lines) if "Write as the customer" in line)
    on_composer = [i for i in range(composer - 1, composer + 4) if TOAST_EDGE in lines[i]]
    assert not on_composer, f"toasts over the composer:\n{terminal.screen_text()}"


async def test_after_rating_from_the_wire_log_the_next_line_is_sent(
        simulate, ann: InboxHarness):  # noqa: F811
    terminal = await simulate("dana", 120, 40)
    terminal.type_burst("hi\r")
    await terminal.wait_until(lambda: ann.texts("dana-support") == ["hi"], 20, "hi")
    terminal.key("tab")  # composer → the wire log, to look at a record
    await terminal.wait_stable(lambda: terminal.screen_lines())
    terminal.write(ctrl("r"))
    await terminal.wait_for_text("Rate the conversation")
    terminal.type_burst("5 great\r")
    await terminal.wait_until(lambda: "Rate the conversation" not in terminal.screen_text(),
                              20, "the rating dialog closed")
    terminal.type_burst("one more thing\r")
    await terminal.wait_until(lambda: ann.texts("dana-support")[1:] == [
        "★★★★★ rated 5/5: great", "one more thing"], 20, "the next line reaches ann")


async def test_at_80x24_the_wire_log_scrolls_to_its_newest_row(
        simulate, ann: InboxHarness):  # noqa: F811
    terminal = await simulate("dana", 80, 24)
    terminal.key("f2")
    for number in range(1, 8):
        terminal.type_burst(f"line {number}\r")
        await terminal.wait_until(lambda n=number: len(ann.texts("dana-support")) == n, 20,
                                  f"ann hears line {number}")
    lines = await terminal.wait_stable(lambda: terminal.screen_lines())
    rows = [line for line in lines if " sent " in line]
    assert any(line.lstrip("│ ").startswith("7 ") for line in rows), terminal.screen_text()
