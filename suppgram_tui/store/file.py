"""The store's file on disk: read whole, replaced whole, atomically and privately.

A reader never sees half a file: the text goes to a temp file (mode 0600) in the same
directory, is fsynced, renamed over the old one, and the directory is fsynced so the
rename itself survives a power cut. An advisory lock beside the file keeps a second
console away (on POSIX), and a damaged file is moved aside, never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import StoreInaccessible, StoreLocked, Unreadable

try:
    import fcntl
except ImportError:  # Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


class StoreFile:
    """One JSON file, replaced whole. Safe to write from worker threads: one write runs
    at a time, and a snapshot never replaces a newer one that was written first."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.written = 0
        """The generation of the newest snapshot on disk (0: none written yet)."""
        self.problem: StoreInaccessible | None = None
        """Why the last write failed, until one succeeds."""
        self._lock = threading.Lock()

    def read(self) -> Any | None:
        """The parsed JSON; None for a missing or empty file; ``Unreadable`` for a
        damaged one, ``StoreInaccessible`` for one that cannot be read at all."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreInaccessible(self.path, error, reading=True) from None
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise Unreadable("it is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise Unreadable(
                f"it is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None

    def replace(self, generation: int, render: Callable[[], str]) -> None:
        """Write snapshot ``generation`` (its text made by ``render``) unless a snapshot
        as new is already on disk. Blocks on the disk: call it from a worker thread."""
        with self._lock:
            if generation <= self.written:
                return
            try:
                self._write_text(render())
            except OSError as error:
                problem = StoreInaccessible(self.path, error)
                if self.problem is None or str(self.problem) != str(problem):
                    log.warning("%s", problem)  # once, not at every retry
                self.problem = problem
                raise problem from None
            if self.problem is not None:
                log.info("the agent store %s is written again", self.path)
                self.problem = None
            self.written = generation

    def _write_text(self, text: str) -> None:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_directory(self.path.parent)


def move_aside(path: Path) -> Path:
    """Rename a damaged file out of the way (``NAME.corrupt-STAMP``), keeping it whole."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.rename(path, target)
    return target


def lock(path: Path) -> int | None:
    """Take the advisory lock beside ``path``; ``StoreLocked`` if another console has it."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # an unwritable directory: the store says so when it writes
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreLocked(
            f"The agent store {path} is in use by another suppgram-tui console; "
            "close that one first, or use another --data-dir."
        ) from None
    except OSError:  # a filesystem without locks (some network mounts): go on unlocked
        os.close(fd)
        return None
    return fd


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock


def fsync_directory(directory: Path) -> None:
    """Make a rename itself durable; not possible (nor needed) on Windows."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
