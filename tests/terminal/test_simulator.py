"""`suppgram-tui simulate` on its own, in a real 80x24 terminal (issue 12 items 20, 22).

An agent's inbox (`ann`, the console's own code) watches the same server, so what the
simulated customer sent, and whether it is still online, is what a console received.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.inbox_harness import InboxHarness
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

from .conftest import STARTUP_TIMEOUT
from .console_view import BOX_RIGHT, BOX_SIDE
from .harness import Terminal, ctrl, terminal_env

pytestmark = pytest.mark.terminal

QUESTION = "Quit the simulator? 1 simulated customer"


@pytest.fixture
async def ann(local_server: LocalPubNub, tmp_path: Path) -> AsyncIterator[InboxHarness]:
    harness = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    yield harness
    await harness.stop()


@pytest.fixture
async def simulate(local_server: LocalPubNub, tmp_path: Path) -> AsyncIterator[Callable[
        ..., Awaitable[Terminal]]]:
    """`await simulate("dana")`: the simulator as a developer starts it, dana selected."""
    terminals: list[Terminal] = []

    async def start(customer: str, columns: int = 80, rows: int = 24) -> Terminal:
        home = tmp_path / f"home-{len(terminals)}"
        home.mkdir()
        script = Path(sys.executable).with_name("suppgram-tui")
        terminal = Terminal([str(script), "simulate", "--origin", local_server.origin,
                             "--pubnub-user-id", customer],
                            env=terminal_env(home, PUBLISH_KEY, SUBSCRIBE_KEY),
                            columns=columns, rows=rows, cwd=home)
        terminals.append(terminal)
        terminal.start()
        await terminal.wait_until(lambda: f"{customer} · online" in terminal.row(1),
                                  STARTUP_TIMEOUT, f"{customer} online in the chat header")
        return terminal

    yield start
    for terminal in terminals:
        await quit_simulator(terminal)
        await terminal.close()


def online(ann: InboxHarness, channel: str) -> bool:
    conversation = ann.inbox.conversations.get(channel)
    return bool(conversation and conversation.customer_online)


def composer_width(terminal: Terminal) -> int:
    """The composer box's inner width, measured on the row of its placeholder."""
    for line in terminal.screen_lines():
        if "Write as the customer" in line:
            left = line.rindex(BOX_SIDE, 0, line.index("Write as"))
            return line.index(BOX_RIGHT, left) - left - 1
    raise AssertionError(f"no composer placeholder:\n{terminal.screen_text()}")


async def quit_simulator(terminal: Terminal) -> None:
    """Ctrl+Q, and yes if it asks: no simulator outlives its test."""
    if terminal.process is None or not terminal.process.isalive():
        return
    terminal.write(ctrl("q"))
    deadline = time.monotonic() + 10
    while terminal.process.isalive() and time.monotonic() < deadline:
        if "Quit the simulator?" in terminal.screen_text():
            terminal.write(b"y")
            break
        await asyncio.sleep(0.05)


async def test_quit_is_named_quit_and_asks_first_and_no_keeps_the_customers(
        simulate, ann):
    terminal = await simulate("dana")
    await terminal.wait_until(lambda: terminal.row(terminal.rows - 1).startswith("f4 Quit"),
                              20, "the footer drawn")  # a frame may come after the header
    footer = terminal.row(terminal.rows - 1)
    assert "Back to console" not in footer, footer
    terminal.type_burst("is anyone there?\r")
    await terminal.wait_until(lambda: ann.texts("dana-support") == ["is anyone there?"]
                              and online(ann, "dana-support"), 20, "ann hears dana")

    terminal.key("escape")
    await terminal.wait_for_text(QUESTION)
    assert "will go offline" in " ".join(terminal.screen_text().replace("█", " ").split())
    terminal.write(b"n")
    await terminal.wait_until(lambda: QUESTION not in terminal.screen_text(), 20,
                              "the question answered no")
    terminal.type_burst("still here\r")
    await terminal.wait_until(lambda: ann.texts("dana-support")[-1:] == ["still here"], 20,
                              "dana still chatting after no")
    assert online(ann, "dana-support") and terminal.process.isalive()

    terminal.key("f4")
    await terminal.wait_for_text(QUESTION)
    terminal.key("f4")  # the same key again: yes
    assert await terminal.wait_exit(15) == 0, terminal.screen_text()
    await terminal.wait_until(lambda: not online(ann, "dana-support"), 20,
                              "dana goes offline once the simulator has quit")


async def test_at_80x24_the_chat_is_wide_the_selection_shows_and_list_typing_reaches_it(
        simulate, ann):
    terminal = await simulate("dana")
    assert composer_width(terminal) >= 50, terminal.screen_text()
    terminal.write(ctrl("n"))  # a second customer, selected
    await terminal.wait_until(lambda: "● customer-" in terminal.screen_text(), 20,
                              "the new customer listed")
    await terminal.wait_until(lambda: "customer-" in terminal.row(1), 20, "and selected")

    # back to the list, up to dana, and a whole sentence in one burst, Enter included
    terminal.key("shift+tab")
    # a person's pause: Shift+Tab and a cursor key in one read still go both to the
    # composer (Textual queues a read to the widget focused when it was parsed)
    await asyncio.sleep(0.3)
    terminal.key("up")
    await terminal.wait_until(lambda: "dana · online" in terminal.row(1), 20, "dana selected")
    terminal.type_burst("typed with the list focused\r")
    await terminal.wait_until(
        lambda: ann.texts("dana-support") == ["typed with the list focused"], 20,
        "the burst reaches the console whole")

    # the list has lost the focus; dana's row still stands out from the other one
    dana_row = next(i for i, line in enumerate(terminal.screen_lines()) if "● dana" in line)
    other_row = next(i for i, line in enumerate(terminal.screen_lines())
                     if "● customer-" in line)
    column = terminal.row(dana_row).index("dana")
    selected = terminal.screen.buffer[dana_row][column]
    other = terminal.screen.buffer[other_row][column]
    assert selected.bg != other.bg and selected.bold and not other.bold

    # Tab from the list goes to the composer: what follows in the same burst is kept
    terminal.key("shift+tab")
    terminal.write(b"\tafter a tab\r")
    await terminal.wait_until(
        lambda: ann.texts("dana-support")[-1:] == ["after a tab"], 20,
        "text typed after Tab reaches the console")
