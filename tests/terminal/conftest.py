"""Fixtures of the terminal suite: a local server, SDK customers, consoles in a pty.

`local_server` (tests/conftest.py) is an in-process `LocalPubNub` on a free port, on the
test's own event loop; the console process reaches it over loopback HTTP like any
PubNub client. Every console and customer a test makes is stopped at teardown, the
console by Ctrl+Q and, if it has not exited, SIGKILL: no process outlives its test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

from .console_view import ConsoleView
from .customers import Customer
from .harness import Terminal, console_command, terminal_env

STARTUP_TIMEOUT = 30.0
"""A cold start imports Textual and the SDK; on a loaded 2-core CI box it takes seconds."""


@pytest.fixture
async def customers(local_server: LocalPubNub) -> AsyncIterator[Callable[..., Awaitable[
        Customer]]]:
    """`await customers("dana", "my order is late", ...)`: joined, subscribed, and each
    text published in order."""
    made: list[Customer] = []

    async def join(uuid: str, *texts: str) -> Customer:
        customer = Customer(local_server.origin, uuid)
        made.append(customer)
        await customer.join()
        for text in texts:
            await customer.say(text)
        return customer

    yield join
    for customer in made:
        await customer.stop()


@pytest.fixture
async def console(local_server: LocalPubNub, tmp_path: Path) -> AsyncIterator[Callable[
        ..., Awaitable[ConsoleView]]]:
    """`await console(columns=80, rows=24)`: the real console, connected, on a pty."""
    terminals: list[Terminal] = []

    async def start(columns: int = 80, rows: int = 24, agent: str = "ann",
                    again: ConsoleView | None = None) -> ConsoleView:
        """`again`: a console that was closed, started again on its home and store."""
        if again is not None:
            data_dir = again.log_path.parent
            home = data_dir.parent
        else:
            home = tmp_path / f"home-{agent}-{len(terminals)}"
            data_dir = home / "suppgram"
            data_dir.mkdir(parents=True)
        terminal = Terminal(console_command(local_server.origin, data_dir, agent),
                            env=terminal_env(home, PUBLISH_KEY, SUBSCRIBE_KEY),
                            columns=columns, rows=rows, cwd=home)
        terminals.append(terminal)
        terminal.start()
        view = ConsoleView(terminal, log_path=data_dir / "console.log")
        await view.wait_connected(STARTUP_TIMEOUT)
        return view

    yield start
    for terminal in terminals:
        await terminal.close()


@pytest.fixture
def opened(console: Callable[..., Awaitable[ConsoleView]],
           customers: Callable[..., Awaitable[Customer]]) -> Callable[..., Awaitable[
               tuple[ConsoleView, list[Customer]]]]:
    """`view, (dana, eve) = await opened("dana", "eve")`: customers who each wrote
    "hello from NAME" in that order before the console started (so no toast covers the
    composer), then the console with all of them listed, the newest (first row) open and
    the focus on the list.

    It opens the first row with Enter and goes back to the list with Escape, keys that
    mean that today and after issue 12's fixes, rather than count on the console
    opening a conversation by itself at start (issue 12.6 questions that).
    """
    async def start(*names: str, columns: int = 120,
                    rows: int = 40) -> tuple[ConsoleView, list[Customer]]:
        people = [await customers(name, f"hello from {name}") for name in names]
        view = await console(columns, rows)
        greetings = [f"hello from {name}" for name in names]
        await view.wait_until(lambda: all(g in view.list_text() for g in greetings), 20,
                              f"{', '.join(names)} listed")
        view.key("enter")
        await view.wait_until(lambda: f"hello from {names[-1]}" in view.transcript_text(), 20,
                              f"{names[-1]} open")
        view.key("escape")
        await view.fence()
        return view, people

    return start
