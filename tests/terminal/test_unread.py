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
