"""Presence: heartbeat, leave, here-now, where-now, state, join/leave/timeout events."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .server import LocalServer


def register(server: LocalServer) -> None:
    """Not built yet."""
