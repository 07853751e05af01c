"""The console as an agent runs it, in a real terminal: what works today must keep working."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.terminal


@pytest.mark.parametrize("columns,rows", [(80, 24), (120, 40)])
async def test_console_starts_connected_and_empty(console, columns, rows):
    view = await console(columns, rows)
    status = view.status_row
    assert status.startswith(" ● connected") and "agent ann" in status, status
    await view.wait_for_text("No conversations yet")
    assert view.terminal.screen.columns == columns and len(view.body_rows()) == rows - 2
    await view.wait_until(lambda: view.footer_row.strip(), what="the footer is drawn")


async def test_ctrl_q_quits_at_once_and_cleanly(console):
    view = await console(80, 24)
    view.key("ctrl+q")
    status = await view.terminal.wait_exit(15)
    assert status == 0, f"exit status {status} (None: still running)\n{view.terminal.screen_text()}"


async def test_a_customer_message_appears_in_the_list(console, customers):
    view = await console(120, 40)
    await view.wait_for_text("No conversations yet")
    await customers("dana", "my order is late")
    await view.wait_until(lambda: "my order is late" in view.list_text(), 20,
                          "the message in the list")
    await view.wait_until(lambda: view.list_row("dana").startswith("● dana"), 20,
                          "dana online (her SDK is subscribed)")


async def test_a_reply_typed_into_the_composer_reaches_the_customer_as_typed(
        console, customers):
    view = await console(120, 40)
    dana = await customers("dana")
    await dana.say("my order is late")
    await view.wait_until(lambda: "my order is late" in view.list_text(), 20, "dana listed")
    view.key("enter")  # open it
    await view.wait_until(lambda: "my order is late" in view.transcript_text(), 20,
                          "the conversation open")
    await view.start_reply("O")
    view.type_burst("n it, Dana: I'm checking the courier's tracking now.")
    await view.fence()
    view.key("enter")
    received = await view.replies_received(dana)
    assert received == ["On it, Dana: I'm checking the courier's tracking now."], received
    reply = dana.replies[0]
    assert list(reply) == ["kind", "time", "text"] and reply["kind"] == "from_agent", reply


async def test_a_paste_into_the_composer_reaches_the_customer_whole(opened):
    """The control for issue 12.1's paste: into the focused composer a paste works."""
    view, (dana,) = await opened("dana")
    await view.start_reply("S")
    view.paste("orry to hear that.\nA replacement ships today.")
    await view.fence()
    view.key("enter")
    received = await view.replies_received(dana)
    assert received == ["Sorry to hear that.\nA replacement ships today."], received


async def test_ctrl_j_typed_on_its_own_starts_a_new_line(opened):
    """The control for issue 12.4: Ctrl+J in a read of its own is a new line in place."""
    view, (dana,) = await opened("dana")
    await view.start_reply("L")
    view.type_burst("ine one")
    await view.fence()
    view.key("ctrl+j")
    await view.fence()
    view.type_burst("Line two")
    await view.fence()
    shown = await view.composer_lines()
    view.key("enter")
    received = await view.replies_received(dana)
    assert (shown, received) == (["Line one", "Line two"], ["Line one\nLine two"]), \
        (shown, received)
