"""Reads the console's parts off the emulated screen, as an agent's eyes would.

Only what is drawn counts: the top row is the status line, the bottom row the footer,
the panes between are separated by `│`, input boxes (search, composer) have Textual's
"tall" border (`▊▔▔…` above, `▊ text ▎` beside, `▊▁▁…` below) and a toast's left edge
is `▌`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .customers import Customer
from .harness import Terminal

T = TypeVar("T")

PANE_SEPARATOR = "│"
BOX_TOP, BOX_SIDE, BOX_RIGHT, BOX_BOTTOM = "▔", "▊", "▎", "▁"
TOAST_EDGE = "▌"
RAW_MARKER = "timetoken="
"""What the transcript shows in raw mode (F2) and never otherwise: the fence's signal."""
SETTLED = 0.75
"""Seconds a part of the screen must stay unchanged after a fence to count as final."""
MY_ENTRY = re.compile(r"^ *\d\d:\d\d  me\b", re.MULTILINE)
"""The first line of one of my replies in the transcript (sending, sent or failed)."""


class ConsoleView:
    """A console on a `Terminal`, with the reads and waits the terminal tests need."""

    def __init__(self, terminal: Terminal, log_path: Path) -> None:
        self.terminal = terminal
        self.log_path = log_path

    # the terminal's input and waits, so test code reads as what the agent does

    def write(self, data: bytes) -> None:
        self.terminal.write(data)

    def type_burst(self, text: str) -> None:
        self.terminal.type_burst(text)

    def paste(self, text: str) -> None:
        self.terminal.paste(text)

    def alt(self, key: str) -> None:
        self.terminal.alt(key)

    def key(self, *names: str) -> None:
        self.terminal.key(*names)

    async def wait_until(self, predicate: Callable[[], T], timeout: float = 20.0,
                         what: str = "") -> T:
        return await self.terminal.wait_until(predicate, timeout, what)

    async def wait_for_text(self, text: str, timeout: float = 20.0) -> None:
        await self.terminal.wait_for_text(text, timeout)

    # regions --------------------------------------------------------------------------

    @property
    def status_row(self) -> str:
        return self.terminal.row(0).rstrip()

    @property
    def footer_row(self) -> str:
        return self.terminal.row(self.terminal.rows - 1)

    def body_rows(self) -> list[str]:
        return self.terminal.screen_lines()[1:-1]

    @property
    def header(self) -> str:
        """The open conversation's header: row 1 of the pane right of the sidebar."""
        row = self.terminal.row(1)
        return row.split(PANE_SEPARATOR, 1)[-1].strip()

    def pane(self, index: int) -> list[str]:
        """Column `index` of the body (0 = sidebar, 1 = conversation), row by row."""
        rows = []
        for row in self.body_rows():
            parts = row.split(PANE_SEPARATOR)
            rows.append(parts[index] if index < len(parts) else "")
        return rows

    def boxes(self) -> list[tuple[int, list[str]]]:
        """Every tall-bordered box: (its top row, its inner lines right-stripped)."""
        found: list[tuple[int, list[str]]] = []
        lines = self.terminal.screen_lines()
        for top, line in enumerate(lines):
            for match in re.finditer(f"{BOX_SIDE}{BOX_TOP}+", line):
                left, right = match.start(), match.end()
                inner: list[str] = []
                for below in lines[top + 1:]:
                    if below[left:left + 2] == BOX_SIDE + BOX_BOTTOM:
                        break
                    inner.append(below[left + 1:right].strip())
                found.append((top, inner))
        return found

    def composer_box(self) -> list[str]:
        """The composer's inner lines, trailing blank ones dropped (it is the lowest box)."""
        boxes = self.boxes()
        inner = max(boxes, key=lambda box: box[0])[1] if boxes else []
        while inner and not inner[-1]:
            inner = inner[:-1]
        return inner

    async def composer_lines(self, timeout: float = 15.0) -> list[str]:
        """What the composer shows, once no toast covers it."""
        def uncovered() -> list[str] | None:
            lines = self.composer_box()
            return None if any(TOAST_EDGE in line for line in lines) else lines or None

        return await self.terminal.wait_until(uncovered, timeout,
                                              "the composer, uncovered by toasts")

    def list_text(self) -> str:
        return "\n".join(row.rstrip() for row in self.pane(0))

    def list_row(self, name: str) -> str:
        """The first line of this customer's entry in the sidebar."""
        for row in self.pane(0):
            if re.match(rf"[●○] {re.escape(name)}\b", row.strip()):
                return row.strip()
        raise AssertionError(f"no row for {name!r} in the list:\n{self.list_text()}")

    def transcript_text(self) -> str:
        return "\n".join(row.rstrip() for row in self.pane(1))

    # waits ----------------------------------------------------------------------------

    async def wait_connected(self, timeout: float) -> None:
        await self.terminal.wait_until(lambda: "● connected" in self.status_row, timeout,
                                       "the status line says connected")

    async def fence(self, timeout: float = 20.0) -> None:
        """Return once the console has handled every byte written before.

        F2 turns the raw view on and then off again. Textual reads a terminal's input in
        order, so once F2's effect is on screen every earlier key has been handled. A
        lone ESC written just before still pairs with nothing: F2 starts with ESC, and
        ESC ESC is Escape followed by a new sequence. Needs an open conversation with
        at least one message.
        """
        self.terminal.key("f2")
        await self.terminal.wait_until(lambda: RAW_MARKER in self.terminal.screen_text(),
                                       timeout, "raw view on (F2)")
        self.terminal.key("f2")
        await self.terminal.wait_until(lambda: RAW_MARKER not in self.terminal.screen_text(),
                                       timeout, "raw view off (F2)")

    def my_entries(self) -> int:
        """How many of my replies the transcript shows."""
        return len(MY_ENTRY.findall(self.transcript_text()))

    async def settled(self, read: Callable[[], T]) -> T:
        """After a fence, what `read()` shows once the console has drawn what it decided.

        The console redraws its list and transcript at most 20 times a second, so a
        change already decided when the fence returns can still be 50 ms from the
        screen: hold on until `read()` has stayed the same for `SETTLED` seconds.
        """
        await self.fence()
        return await self.terminal.wait_stable(read, SETTLED)

    async def replies_received(self, customer: Customer, *others: Customer,
                               timeout: float = 20.0) -> list[str]:
        """Everything typed so far handled: what the customer's SDK has received.

        A reply shows in the open transcript ("sending…") before it is published. Once
        the number of my replies there has settled, wait until the customers (this one
        and `others`, where a misdirected reply would go) have received as many. None
        shown means none is coming, so a test that expected one fails within a second,
        not after a timeout.
        """
        queued = await self.settled(self.my_entries)
        everyone = (customer, *others)
        await self.terminal.wait_until(
            lambda: sum(len(c.reply_texts) for c in everyone) >= queued, timeout,
            f"{queued} replies reach {', '.join(c.uuid for c in everyone)}")
        return customer.reply_texts

    async def start_reply(self, first: str) -> None:
        """Put the focus in the composer the way that works today: type one character
        while the list has focus (it moves to the composer and lands there)."""
        self.terminal.type_burst(first)
        await self.fence()
        box = self.composer_box()
        shown = box[0].split(TOAST_EDGE)[0].strip() if box else ""  # left of any toast
        assert shown == first, f"the composer shows {shown!r} after typing {first!r}"
