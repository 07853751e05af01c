"""App Context (objects v2): channel and uuid metadata with ETags, and their events."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import LocalServer


def register(server: LocalServer) -> None:
    """Not built yet."""
