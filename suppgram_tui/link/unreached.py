"""A request that reached no server, in an agent's words: where, and why.

The SDK's HTTP client says "All connection attempts failed" whether the port is closed,
the name unknown or the host silent, and names no host; the agent needs "cannot reach
127.0.0.1:8090 (connection refused)", as the link's own long poll says it
(`unreachable.py`). Importable without the SDK: it reads the exception chain only.
"""

from __future__ import annotations

import socket


def os_error_words(cause: BaseException | None) -> str:
    """Why a connection could not be made, from the operating system's error."""
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return "no such host name"
    if isinstance(cause, TimeoutError):
        return "no answer"
    words = getattr(cause, "strerror", None) or str(cause or "") or type(cause).__name__
    return str(words).rstrip(".").lower()[:80]


def unreached_words(error: BaseException | None) -> str | None:
    """"cannot reach host:port (why)" for an SDK request whose connection failed (an
    httpx `ConnectError` or `ConnectTimeout`); None for any other failure."""
    if error is None or type(error).__name__ not in ("ConnectError", "ConnectTimeout"):
        return None
    where = _host_port(error)
    if type(error).__name__ == "ConnectTimeout":
        return f"cannot reach {where} (no answer)"
    return f"cannot reach {where} ({os_error_words(_innermost_os_error(error))})"


def _host_port(error: BaseException) -> str:
    try:
        url = error.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when it has none
        return "the server"
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def _innermost_os_error(error: BaseException) -> BaseException | None:
    found: BaseException | None = None
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current  # the deepest one says most: refused, not "all attempts"
        current = current.__cause__ or current.__context__
    return found
