"""A real `suppgram-tui serve` in a child process, so a test can SIGKILL it for real."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

LISTENING = b"listening on"


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """`python -m suppgram_tui serve --data PATH --port PORT`, started, killed, restarted.

    Started again with the same port and data file it is the same server to its clients,
    as a crashed and restarted broker would be.
    """

    def __init__(self, data_path: Path, port: int, *, poll_timeout: float = 2.0,
                 log_path: Path | None = None,
                 preexec_fn: Callable[[], None] | None = None) -> None:
        self.data_path = data_path
        self.port = port
        self.poll_timeout = poll_timeout
        self.log_path = log_path or data_path.with_suffix(".log")
        self.preexec_fn = preexec_fn
        """Run in the child before it starts (a resource limit, say)."""
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self, timeout: float = 20.0) -> ServerProcess:
        """Spawn it and wait for its "listening on" line (it accepts connections then)."""
        self.starts += 1
        with open(self.log_path, "ab") as log:  # warnings and tracebacks, for a failure
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "suppgram_tui", "serve", "--data", str(self.data_path),
                "--port", str(self.port), "--poll-timeout", str(self.poll_timeout),
                stdout=asyncio.subprocess.PIPE, stderr=log, stdin=asyncio.subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=self.preexec_fn)
        assert self.process.stdout is not None
        try:
            await asyncio.wait_for(self._listening(self.process.stdout), timeout)
        except BaseException:
            await self.kill()
            raise
        return self

    async def _listening(self, stdout: asyncio.StreamReader) -> None:
        while True:
            line = await stdout.readline()
            if not line:
                raise AssertionError("the server exited before listening:\n"
                                     + self.log_path.read_text(errors="replace"))
            if LISTENING in line:
                return

    async def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed or closed cleanly."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        await process.wait()

    def kill_now(self) -> None:
        """SIGKILL without yielding to the event loop, right after some other step."""
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
