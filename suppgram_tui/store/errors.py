"""Why the agent store cannot be used, in words the agent can act on."""

from __future__ import annotations

import errno
from pathlib import Path


class StoreError(Exception):
    """The agent store cannot be used; the text tells the agent what to do."""


class StoreCorrupt(StoreError):
    """The file was damaged and has been moved aside to ``moved_to``.

    Opening the same path again starts a fresh, empty store; the damaged file stays
    where it was moved, so nothing in it (such as unsent replies) is destroyed.
    """

    def __init__(self, path: Path, moved_to: Path, reason: str) -> None:
        self.path, self.moved_to, self.reason = path, moved_to, reason
        super().__init__(
            f"The agent store {path} is damaged ({reason}); it was moved aside to "
            f"{moved_to}, unchanged. Open the store again to start with an empty one; "
            "drafts, read markers and unsent replies from the damaged file are not "
            "carried over."
        )


class StoreTooNew(StoreError):
    """The file was written by a newer suppgram-tui; it is left untouched."""


class StoreLocked(StoreError):
    """Another console has this store open."""


class StoreInaccessible(StoreError):
    """The file cannot be read or written (a directory in its place, an immutable or
    read-only file, a full disk): one sentence with the path, what is wrong and what to
    do. Nothing is lost by it: what could not be written stays in memory and is written
    once the file can be."""

    def __init__(self, path: Path, error: OSError, *, reading: bool = False) -> None:
        self.path = path
        self.errno = error.errno
        super().__init__(_sentence(path, error, reading))


def _sentence(path: Path, error: OSError, reading: bool) -> str:
    where = f"The agent store {path}"
    another = "or start suppgram-tui with another --data-dir"
    if isinstance(error, IsADirectoryError) or path.is_dir():
        return f"{where} is a directory, not a file: move it away, {another}."
    what = "read" if reading else "written"
    if error.errno == errno.EROFS:
        return f"{where} cannot be {what}: its file system is read-only. Remount it " \
               f"read-write, {another}."
    if error.errno == errno.ENOSPC:
        return f"{where} cannot be {what}: the disk is full. Free some space, {another}."
    if error.errno in (errno.EPERM, errno.EACCES):
        fix = "readable by you" if reading else \
            "writable by you (an immutable one needs chattr -i)"
        return f"{where} cannot be {what} ({error.strerror}): make the file and its " \
               f"directory {fix}, {another}."
    return f"{where} cannot be {what} ({error.strerror or error}): fix the file, {another}."


class SecretRefused(ValueError):
    """Something that looks like a key, token or password was offered to the store."""


class Unreadable(Exception):
    """Why a store file cannot be read, in words (becomes ``StoreCorrupt``)."""
