"""Issue 12, item 17: toasts tell what is not on screen, and never cover the composer.

A toast's left edge is `▌`; what a toast says is the text right of it on each row.
"""

from __future__ import annotations

import pytest

from .console_view import TOAST_EDGE, ConsoleView
from .harness import ctrl

pytestmark = pytest.mark.terminal

LONG = ("please help me with the order I placed last week, the parcel never arrived "
        "and the tracking page says it was delivered to a neighbour")


def toast_text(view: ConsoleView) -> str:
    rows = view.terminal.screen_lines()
    return " ".join(" ".join(row.split(TOAST_EDGE, 1)[1].split()) for row in rows
                    if TOAST_EDGE in row)


def toast_rows(view: ConsoleView) -> list[int]:
    return [index for index, row in enumerate(view.terminal.screen_lines())
            if TOAST_EDGE in row]


async def test_a_message_in_the_open_conversation_gives_no_toast(opened, customers):
    view, (dana,) = await opened("dana", columns=80, rows=24)
    view.write(ctrl("g"))  # dana's is mine now: her messages are news for me, elsewhere
    await view.wait_until(lambda: "@ann" in view.header, 20, "dana's claimed")
    await dana.say("are you there?")
    await view.wait_until(lambda: "are you there?" in view.transcript_text(), 20,
                          "dana's message in the open transcript")
    await customers("eve", "hello from eve")  # a new conversation: worth a toast
    await view.wait_until(lambda: "eve" in toast_text(view), 20, "a toast about eve")
    assert "are you there" not in toast_text(view), \
        f"a toast repeats what the open transcript shows: {toast_text(view)!r}"


async def test_toasts_stay_off_the_composer_and_the_header(opened, customers):
    view, _ = await opened("dana", columns=80, rows=24)
    composer_top = max(top for top, _ in view.boxes())
    names = ["eve", "finn", "gus", "hal", "ivy"]
    seen: set[int] = set()
    for name in names:  # one by one: each would be a toast of its own if they stacked
        await customers(name, f"{LONG} ({name})")
        # the newest is told, never pushed out of sight below the older ones
        await view.wait_until(lambda n=name: n in toast_text(view), 20, f"{name} told")
        seen.update(toast_rows(view))
    rows = await view.terminal.wait_stable(lambda: toast_rows(view))
    seen.update(rows)
    assert "ivy" in toast_text(view), toast_text(view)
    assert seen and min(seen) > 1 and max(seen) < composer_top, \
        f"toasts drawn on rows {sorted(seen)}; the header is row 1, the composer starts " \
        f"at row {composer_top}:\n{view.terminal.screen_text()}"


async def test_news_waits_under_the_help_and_shows_once_it_closes(opened, customers):
    """At 80x24 a toast covered F1's help text; the help is read in peace now."""
    view, _ = await opened("dana", columns=80, rows=24)
    view.key("f1")
    await view.wait_for_text("Reply to a customer")
    await customers("eve", "hello from eve")
    # long enough for the toast to come if it were going to
    await view.terminal.wait_stable(lambda: view.terminal.screen_text(), hold=1.5)
    assert TOAST_EDGE not in view.terminal.screen_text(), view.terminal.screen_text()
    view.key("f1")
    await view.wait_until(lambda: "eve" in toast_text(view), 20,
                          "the toast about eve once the help is closed")
