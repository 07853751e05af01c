"""A connection that could not be made, in an agent's words, not aiohttp's.

aiohttp says "Cannot connect to host 127.0.0.1:18510 ssl:default [Connect call
failed…]", naming TLS even when it is off: the agent needs where, and why.
"""

from __future__ import annotations

import ssl

import aiohttp

from .errors import LinkRequestError
from .unreached import os_error_words


class Unreachable(LinkRequestError):
    """The server could not be reached at all (no HTTP answer); the message says where
    and why, e.g. "cannot reach 127.0.0.1:18510 (connection refused)"."""


def unreachable_words(error: BaseException) -> str | None:
    """"cannot reach host:port (why)" for a connection aiohttp could not make; None for
    any other failure."""
    if not isinstance(error, aiohttp.ClientConnectorError):
        return None
    return f"cannot reach {error.host}:{error.port} ({_why(error)})"


def _why(error: aiohttp.ClientConnectorError) -> str:
    cause = error.os_error
    if isinstance(error, aiohttp.ClientConnectorCertificateError) or isinstance(
            cause, ssl.SSLCertVerificationError):
        return "its TLS certificate was not accepted"
    if isinstance(cause, ssl.SSLError):
        return "TLS failed: is the server speaking plain HTTP?"
    return os_error_words(cause)
