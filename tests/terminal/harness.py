"""The real `suppgram-tui` in a pseudo-terminal, read back through a VT emulator.

Why a pty: Textual's Pilot presses one key at a time and lets the app settle after each,
so the focus has moved before the next key comes. A terminal writes *bytes* to the
program's tty, and Textual's driver takes whatever is there in one `os.read`: a fast
typist, a paste, a macro or a slow SSH link arrive as one burst, which Textual's parser
splits into keys and queues before any of them has moved the focus. Only a real process
on a real tty, fed real bytes, sees that. The console runs exactly as an
agent starts it (`suppgram-tui --origin … --data-dir …`), in its own process.

What a terminal (xterm, tmux with TERM=xterm-256color) sends:

- printable text as UTF-8; Enter is `\\r` (CR; the tty is raw, so nothing turns it into
  `\\n`), Ctrl+J is `\\n` (LF), Tab `\\t`, Backspace `\\x7f`, Ctrl+letter the control
  byte (Ctrl+Q = `\\x11`);
- Alt+key (xterm's metaSendsEscape, tmux, iTerm "Esc+") as ESC followed by the key:
  Alt+1 = `\\x1b1`, Alt+Enter = `\\x1b\\r`;
- cursor and function keys as CSI/SS3 sequences: Up `\\x1b[A`, F4 `\\x1bOS`,
  Shift+Tab `\\x1b[Z`, Alt+Up `\\x1b[1;3A`;
- a paste, once the program enabled bracketed paste (`\\x1b[?2004h`, Textual does), as
  `\\x1b[200~` + text + `\\x1b[201~`, in one write.

This terminal is a plain xterm: it ignores the kitty keyboard protocol Textual asks for
(`\\x1b[>Nu`) and answers DECRQM mode queries (`\\x1b[?2026$p` synchronized output,
`\\x1b[?2048$p` in-band resize) with "mode not recognised", as an xterm without those
modes does (Textual does not wait for the answers; it only uses the modes if told yes).

The pty's output is read on the test's own event loop (`loop.add_reader`), so the
server, the customers' SDK clients and the screen all advance together without threads.
Every wait polls the `pyte` screen until a condition holds, with generous deadlines for
a loaded CI box. Nothing sleeps for correctness: where a test needs the program to have
handled one burst before it writes the next (a lone ESC and the next bytes in the same
read would be Alt+key), it waits for a visible effect (`ConsoleView.fence`), not a time.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ptyprocess
import pyte

KEYS: dict[str, bytes] = {
    "enter": b"\r", "ctrl+j": b"\n", "tab": b"\t", "shift+tab": b"\x1b[Z",
    "escape": b"\x1b", "backspace": b"\x7f", "space": b" ",
    "up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D",
    "home": b"\x1b[H", "end": b"\x1b[F", "pageup": b"\x1b[5~", "pagedown": b"\x1b[6~",
    "alt+up": b"\x1b[1;3A", "alt+down": b"\x1b[1;3B",
    "f1": b"\x1bOP", "f2": b"\x1bOQ", "f3": b"\x1bOR", "f4": b"\x1bOS",
    "f5": b"\x1b[15~", "ctrl+q": b"\x11",
}
"""The bytes xterm (and tmux with TERM=xterm-256color) sends for each key."""

_DECRQM = re.compile(r"\x1b\[\?(\d+)\$p")


def ctrl(letter: str) -> bytes:
    """Ctrl+letter as a terminal sends it: the letter's control byte."""
    return bytes([ord(letter.lower()) & 0x1F])


class Terminal:
    """One program on a pty of `columns`x`rows`, its output kept on a `pyte` screen."""

    def __init__(self, argv: list[str], *, env: dict[str, str], columns: int = 80,
                 rows: int = 24, cwd: Path | None = None) -> None:
        self.argv, self.env, self.columns, self.rows, self.cwd = argv, env, columns, rows, cwd
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._tail = ""  # the end of the last read, for a query split across two reads
        self.process: ptyprocess.PtyProcess | None = None
        self.closed = False

    # lifecycle ------------------------------------------------------------------------

    def start(self) -> Terminal:
        self.process = ptyprocess.PtyProcess.spawn(
            self.argv, env=self.env, cwd=str(self.cwd) if self.cwd else None,
            dimensions=(self.rows, self.columns))
        os.set_blocking(self.process.fd, False)
        asyncio.get_running_loop().add_reader(self.process.fd, self._readable)
        return self

    def _readable(self) -> None:
        assert self.process is not None
        try:
            data = os.read(self.process.fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the child closed its side of the pty (it exited)
            data = b""
        if not data:
            self._stop_reading()
            return
        text = self._decoder.decode(data)
        self._answer_queries(self._tail + text)
        self._tail = text[-16:]
        self.stream.feed(text)

    def _answer_queries(self, text: str) -> None:
        for match in _DECRQM.finditer(text):
            if match.end() > len(self._tail):  # not answered in the previous read
                self.write(f"\x1b[?{match.group(1)};0$y".encode())

    def _stop_reading(self) -> None:
        if not self.closed and self.process is not None:
            self.closed = True
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.process.fd)

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit status once the program has exited, None if it is still running."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while self.process.isalive() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return None if self.process.isalive() else self.process.exitstatus

    async def close(self, timeout: float = 5.0) -> None:
        """Ctrl+Q, as an agent quits; SIGKILL if it has not exited within `timeout`."""
        process = self.process
        if process is None:
            return
        if process.isalive():
            with contextlib.suppress(OSError):
                self.write(KEYS["ctrl+q"])
            await self.wait_exit(timeout)
        self._stop_reading()
        if process.isalive():
            process.terminate(force=True)  # SIGHUP, SIGINT, then SIGKILL
        with contextlib.suppress(Exception):
            process.close(force=True)

    # input ----------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """One write, so one burst: the program reads it all at once if it can."""
        assert self.process is not None
        assert len(data) < 4096, "one pty write of this size may block; split it"
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.process.fd, view):]
            except BlockingIOError:
                time.sleep(0.001)

    def type_burst(self, text: str) -> None:
        """Text typed faster than the program reads: all of it in one write."""
        self.write(text.encode())

    def paste(self, text: str) -> None:
        """A bracketed paste, as a terminal sends it once `\\x1b[?2004h` is on."""
        self.write(b"\x1b[200~" + text.encode() + b"\x1b[201~")

    def alt(self, key: str) -> None:
        """Alt+key the way xterm, tmux and iTerm ("Esc+") send it: ESC, then the key."""
        self.write(b"\x1b" + (KEYS[key] if key in KEYS else key.encode()))

    def key(self, *names: str) -> None:
        """Named keys (see `KEYS`), all in one write."""
        self.write(b"".join(KEYS[name] for name in names))

    # output ---------------------------------------------------------------------------

    def screen_lines(self) -> list[str]:
        return list(self.screen.display)

    def screen_text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def row(self, index: int) -> str:
        return self.screen.display[index]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 20.0,
                         what: str = "") -> Any:
        """Poll `predicate` while output keeps arriving; fail with the screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {timeout}s: {what or predicate}\n"
                                     f"screen:\n{self.screen_text()}")
            if self.closed:
                raise AssertionError(f"the program exited before: {what or predicate}\n"
                                     f"screen:\n{self.screen_text()}")
            await asyncio.sleep(0.02)

    async def wait_for_text(self, text: str, timeout: float = 20.0) -> None:
        await self.wait_until(lambda: text in self.screen_text(), timeout, repr(text))

    async def wait_stable(self, read: Callable[[], Any], hold: float = 0.5,
                          timeout: float = 20.0) -> Any:
        """Until `read()` has returned the same value for `hold` seconds; that value.

        For a frame that is drawn in several writes (a resize, a first paint), where
        there is no single piece of text to wait for.
        """
        deadline = time.monotonic() + timeout
        value, since = read(), time.monotonic()
        while time.monotonic() - since < hold:
            if time.monotonic() > deadline:
                raise AssertionError(f"still changing after {timeout}s: {value!r}")
            await asyncio.sleep(0.02)
            if (current := read()) != value:
                value, since = current, time.monotonic()
        return value

    async def resize(self, columns: int, rows: int, timeout: float = 20.0) -> None:
        """What a terminal window does when dragged: a new size on the tty, which makes
        the kernel send the program SIGWINCH; returns once it has repainted the screen."""
        assert self.process is not None
        self.columns, self.rows = columns, rows
        self.screen.resize(rows, columns)
        self.screen.dirty.clear()
        self.process.setwinsize(rows, columns)
        await self.wait_until(lambda: set(range(rows)) <= self.screen.dirty, timeout,
                              f"a full repaint at {columns}x{rows}")
        await self.wait_stable(self.screen_text)


def console_command(origin: str, data_dir: Path, agent: str = "ann") -> list[str]:
    """The console as an agent starts it, from this venv's entry point."""
    script = Path(sys.executable).with_name("suppgram-tui")
    return [str(script), "--origin", origin, "--data-dir", str(data_dir),
            "--agent-name", agent, "--log-file", str(data_dir / "console.log")]


def terminal_env(home: Path, publish_key: str, subscribe_key: str) -> dict[str, str]:
    """A clean environment: an xterm, UTF-8, a private HOME, the keys, nothing else."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
            "PUBNUB_PUBLISH_KEY": publish_key, "PUBNUB_SUBSCRIBE_KEY": subscribe_key}
