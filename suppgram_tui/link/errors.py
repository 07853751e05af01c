"""Link failures the inbox handles, importable without the SDK."""

from __future__ import annotations

from typing import Any

from .refusals import describe_failure, key_problem
from .unreached import unreached_words


class LinkRequestError(Exception):
    """A PubNub request failed; the message says why in words.

    `operation` is the SDK endpoint's class name (`Publish`, `FetchMessages`…): a 403
    names the resources it was refused on, the operation says which permission.
    """

    def __init__(self, status: Any, operation: str | None = None) -> None:
        self.status_code: int | None = getattr(status, "status_code", None)
        data = getattr(status, "error_data", None)
        body = getattr(getattr(data, "exception", None), "_errormsg", None)
        self.body: Any = body if isinstance(body, dict | list) else None
        """PubNub's error body as JSON, when it answered one."""
        self.operation = operation
        info = getattr(data, "information", data)
        unreached = unreached_words(getattr(data, "exception", None)) \
            if self.status_code is None else None
        self.reached_nothing = unreached is not None
        """No server answered (the message says where and why): worth retrying."""
        info = unreached or info
        self.detail = str(info)
        """What PubNub (or the SDK) said, without the status code."""
        self.key_problem: str | None = key_problem(self.status_code, self.body)
        """A sentence when the keys or token themselves were rejected: nothing will work."""
        super().__init__(describe_failure(self.status_code, self.body, operation, info))

    @property
    def denied(self) -> dict[str, list[str]]:
        """An Access Manager 403's refused resources by kind (`channels`, `channel-groups`)."""
        payload = self.body.get("payload") if isinstance(self.body, dict) else None
        if not isinstance(payload, dict):
            return {}
        return {str(kind): [str(name) for name in names]
                for kind, names in payload.items() if isinstance(names, list)}

    @property
    def refused(self) -> bool:
        """Access Manager said no: permanent for this token, retrying cannot help."""
        return self.status_code == 403


class KeysRejected(Exception):
    """PubNub rejected the keys or the token outright; the message is one sentence."""


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
        case 403 if detail.startswith("Access Manager denied"):
            return f"PubNub refused it: {detail.rstrip('.')} (HTTP 403)"
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
