"""Link failures the inbox handles, importable without the SDK."""

from __future__ import annotations

from typing import Any


class LinkRequestError(Exception):
    """A PubNub request failed; the message says why in words."""

    def __init__(self, status: Any) -> None:
        self.status_code: int | None = getattr(status, "status_code", None)
        data = getattr(status, "error_data", None)
        info = getattr(data, "information", data)
        super().__init__(f"HTTP {self.status_code}: {info}" if self.status_code
                         else f"{info}")


class ConflictError(Exception):
    """A conditional App Context write lost: someone changed the object first."""
