"""Link failures the inbox handles, importable without the SDK."""

from __future__ import annotations

from typing import Any


class LinkRequestError(Exception):
    """A PubNub request failed; the message says why in words."""

    def __init__(self, status: Any) -> None:
        self.status_code: int | None = getattr(status, "status_code", None)
        data = getattr(status, "error_data", None)
        info = getattr(data, "information", data)
        self.detail = str(info)
        """What PubNub (or the SDK) said, without the status code."""
        super().__init__(f"HTTP {self.status_code}: {info}" if self.status_code
                         else f"{info}")


class PublishRefused(Exception):
    """PubNub answered a publish with a 4xx (bad request, forbidden, too large): the same
    publish would be refused again, so it is not retried on its own. The message says
    why in words."""

    def __init__(self, status_code: int, reason: str) -> None:
        self.status_code = status_code
        super().__init__(reason)


def refusal(status_code: int, detail: str) -> str:
    """Why PubNub refused a publish, in words an agent can act on."""
    match status_code:
        case 413:
            return "PubNub refused it as too large (over 32 KB once encoded, HTTP 413)"
        case 403:
            return ("PubNub refused it: these keys or this token may not publish to this "
                    "conversation (HTTP 403)")
        case 400:
            return f"PubNub refused it as invalid (HTTP 400: {detail[:120]})"
    return f"PubNub refused it (HTTP {status_code}: {detail[:120]})"


def is_transient(status_code: int | None) -> bool:
    """Worth trying again later: no answer at all, a 5xx, or PubNub asking to slow down
    (429) or timing the request out (408)."""
    return not status_code or status_code >= 500 or status_code in (408, 429)


class ConflictError(Exception):
    """A conditional App Context write lost: someone changed the object first."""
