"""Message actions: add, list, remove, their events, history with actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import LocalServer


def register(server: LocalServer) -> None:
    """Not built yet."""
