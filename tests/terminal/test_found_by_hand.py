"""What a first-time agent found in tmux that the suite did not look for.

A draft came back with the cursor at its start; F6 and F7 in the composer selected its
text (TextArea's own keys) instead of switching tabs or opening the inspector.
"""

from __future__ import annotations

import re


async def test_a_draft_comes_back_with_the_cursor_at_its_end(opened):
    view, (dana, eve) = await opened("dana", "eve")
    view.key("tab")
    view.type_burst("hello draft")
    await view.fence()
    view.key("alt+down")
    await view.fence()
    view.key("alt+up")
    await view.fence()
    view.type_burst(" MORE\r")
    received = await view.replies_received(eve)
    assert received == ["hello draft MORE"], received


async def test_f6_in_the_composer_switches_tabs_and_keeps_the_text(opened):
    view, (dana,) = await opened("dana")
    view.key("tab")
    view.type_burst("draft one")
    await view.fence()
    view.write(b"\x1b[17~")  # F6
    await view.fence()
    view.type_burst("X")
    await view.fence()
    assert "draft oneX" in "".join(await view.composer_lines())
    # the tab moved on from New (dana, unassigned) to Mine (nothing of ann's yet)
    await view.wait_until(lambda: "hello from dana" not in view.list_text(), 20,
                          "the Mine tab")


async def test_alt_up_with_the_cursor_in_the_composer_opens_the_one_above(opened):
    """Writing there is choosing it: the conversation moved to is read, not previewed."""
    view, (dana, eve) = await opened("dana", "eve")
    await dana.say("are you there?")
    await view.wait_until(lambda: re.match(r"[●○] dana +\d ", view.list_row("dana")), 20,
                          "dana's badge")
    view.key("tab")  # the composer of eve's conversation; dana wrote last: the row above
    await view.fence()
    view.key("alt+up")
    await view.wait_until(lambda: " dana · " in view.header
                          and not re.match(r"[●○] dana +\d ", view.list_row("dana")), 20,
                          "dana open and read")


async def test_pgup_and_pgdn_in_the_reply_box_page_the_conversation(console, customers):
    """F1 named no key to read back through a conversation while writing; PgUp in the
    reply box did nothing (TextArea paged its own three lines). It pages the pane now,
    the half-written reply untouched and still sent whole."""
    dana = await customers("dana", *(f"line {number} from dana" for number in range(40)))
    view = await console(80, 24)
    await view.wait_until(lambda: "line 39 from dana" in view.list_text(), 20, "listed")
    view.key("enter")
    await view.wait_until(lambda: "line 39 from dana" in view.transcript_text(), 20, "open")
    view.type_burst("half a reply")
    view.key("pageup", "pageup")  # in the same burst, right behind the typing
    await view.wait_until(lambda: "line 39 from dana" not in view.transcript_text(), 20,
                          "the pane paged up")
    lines = [int(n) for n in re.findall(r"line (\d+) from dana", view.transcript_text())]
    assert lines and max(lines) < 35, view.transcript_text()
    view.key("pagedown", "pagedown", "pagedown")
    await view.wait_until(lambda: "line 39 from dana" in view.transcript_text(), 20,
                          "back at the newest message")
    view.type_burst(" and the rest\r")
    assert await view.replies_received(dana) == ["half a reply and the rest"]
