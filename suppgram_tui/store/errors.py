"""Why the agent store cannot be used, in words the agent can act on."""

from __future__ import annotations

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


class SecretRefused(ValueError):
    """Something that looks like a key, token or password was offered to the store."""


class Unreadable(Exception):
    """Why a store file cannot be read, in words (becomes ``StoreCorrupt``)."""
