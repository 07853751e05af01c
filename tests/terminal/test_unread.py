"""Issue 12, item 5: moving through the list is a preview, it marks nothing read."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.terminal

UNREAD = re.compile(r"[●○] eve +1 ")
"""Eve's row with its badge: one unread message."""


async def test_moving_the_cursor_through_the_list_keeps_unread_badges(opened):
    view, _ = await opened("dana", "eve", "finn")  # finn wrote last: first row, open
    await view.wait_until(lambda: UNREAD.match(view.list_row("eve")), 20, "eve unread")
    before = view.list_row("eve")

    view.key("down")  # the cursor passes over eve on its way to dana
    await view.fence()
    view.key("down")
    after = await view.settled(lambda: view.list_row("eve"))
    assert UNREAD.match(after), \
        f"eve's row was {before!r} before the cursor passed over it, {after!r} after"


def badge(name: str, count: int) -> re.Pattern[str]:
    return re.compile(rf"[●○] {name} +{count} ")


async def test_a_restart_comes_back_to_the_open_conversation_with_what_is_new_marked(
        console, customers):
    dana = await customers("dana", "hello from dana")
    eve = await customers("eve", "hello from eve")  # eve wrote last: first row
    view = await console(120, 40)
    await view.wait_until(lambda: "hello from dana" in view.list_text(), 20, "dana listed")
    view.key("down")
    await view.fence()
    view.key("enter")  # dana opened: read
    await view.wait_until(lambda: " dana · " in view.header
                          and not badge("dana", 1).match(view.list_row("dana")), 20,
                          "dana open and read")
    await view.terminal.close()

    await dana.say("are you still there?")
    await eve.say("hello again")
    view = await console(120, 40, again=view)
    await view.wait_until(lambda: "are you still there?" in view.transcript_text(), 20,
                          "dana's new message on screen after the restart")
    transcript = view.transcript_text()
    assert " dana · " in view.header, view.header
    assert transcript.index("hello from dana") < transcript.index("new since you left") \
        < transcript.index("are you still there?"), transcript
    rows = await view.settled(lambda: (view.list_row("dana"), view.list_row("eve")))
    assert badge("dana", 1).match(rows[0]) and badge("eve", 2).match(rows[1]), rows

    view.key("enter")  # now the agent opens it: read
    await view.wait_until(lambda: not badge("dana", 1).match(view.list_row("dana")), 20,
                          "dana read once opened")
