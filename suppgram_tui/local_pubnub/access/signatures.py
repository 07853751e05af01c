"""Request signatures made with the secret key (reference §11.5): v2 and v1.

The SDK signs the path as it sends it, the sorted query with every value
percent-encoded, and the body. Some values it encodes once before signing and once more
on the wire, so for each value holding `%` both its decoded and its raw form are tried;
a handful of candidates at most. The publish key is part of the signed text but not of
most requests, so the caller supplies the candidates it knows for the subscribe key.

A POST publish is the one request both official SDKs sign without its body (Python:
v1; JavaScript: v2 as if it were a bodiless GET). Those forms are accepted there and
nowhere else, and `verify` says so (`Coverage.WITHOUT_BODY`) for the caller to bind
the body; any other POST or PATCH needs a v2 signature over its own method and body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote, unquote

MAX_AMBIGUOUS_PARAMS = 6
"""Beyond this many values with `%`, only the all-decoded and all-raw forms are tried."""


class Coverage(Enum):
    """What a valid signature vouches for."""

    FULL = "the whole request"
    WITHOUT_BODY = "all but the body"


@dataclass(frozen=True)
class SignedRequest:
    """What the signature covers, as received."""

    method: str
    raw_path: str
    raw_query: str
    body: bytes
    content_encoding: str = ""

    @property
    def signature(self) -> str | None:
        for key, value in self.raw_params():
            if key == "signature":
                return unquote(value)
        return None

    @property
    def timestamp(self) -> str | None:
        for key, value in self.raw_params():
            if key == "timestamp":
                return unquote(value)
        return None

    @property
    def is_post_publish(self) -> bool:
        return self.method == "POST" and self.raw_path.startswith("/publish/")

    def raw_params(self) -> list[tuple[str, str]]:
        pairs = []
        for part in self.raw_query.split("&"):
            if part:
                key, _, value = part.partition("=")
                pairs.append((unquote(key), value))
        return pairs

    def body_text(self) -> bytes:
        """The body as signed: before the zlib compression some SDKs apply to POSTs."""
        if self.body and self.content_encoding.lower() in ("gzip", "deflate"):
            try:
                return zlib.decompress(self.body, wbits=47)
            except zlib.error:
                return self.body
        return self.body


def verify(secret: str, request: SignedRequest,
           publish_keys: Iterable[str]) -> Coverage | None:
    """What `request`'s signature made with `secret` and one of `publish_keys` covers;
    None when it is not valid: v2 over the request's own method and body, or (a POST
    publish only) the SDKs' body-less forms, or v1 over a GET publish or signal."""
    given = request.signature
    if not given:
        return None
    paths = _path_candidates(request.raw_path)
    queries = list(_query_candidates(request.raw_params()))
    publish_keys = list(publish_keys)
    key = secret.encode("utf-8")
    if given.startswith("v2."):
        forms = [(request.method, request.body_text(), Coverage.FULL)]
        if request.is_post_publish:
            forms.append(("GET", b"", Coverage.WITHOUT_BODY))  # the JS SDK's form
        for (method, body, coverage), pub, path, query in itertools.product(
                forms, publish_keys, paths, queries):
            text = f"{method}\n{pub}\n{path}\n{query}\n".encode() + body
            if hmac.compare_digest(given, "v2." + _b64(key, text).rstrip("=")):
                return coverage
        return None
    if request.method != "GET" and not request.is_post_publish:
        return None  # v1 does not cover a body
    subkeys = _publish_path_keys(request.raw_path)
    for pub, path, query in itertools.product(publish_keys, paths, queries):
        for sub in subkeys:
            text = f"{sub}\n{pub}\n{path}\n{query}".encode()
            if hmac.compare_digest(given, _b64(key, text)):
                return Coverage.WITHOUT_BODY if request.is_post_publish else Coverage.FULL
    return None


def sign_v2(secret: str, method: str, publish_key: str, path: str,
            params: dict[str, str], body: str = "") -> str:
    """A v2 signature as the SDK makes it; for tests and hand-built admin requests."""
    query = "&".join(f"{k}={_encode(params[k])}" for k in sorted(params))
    text = f"{method}\n{publish_key}\n{path}\n{query}\n{body}".encode()
    return "v2." + _b64(secret.encode("utf-8"), text).rstrip("=")


def _b64(key: bytes, text: bytes) -> str:
    digest = hmac.new(key, text, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _encode(value: str) -> str:
    """Percent-encode all but `A–Z a–z 0–9 - _ .`, as PubNub's signing rules say."""
    return quote(value, safe="").replace("~", "%7E")


def _path_candidates(raw_path: str) -> list[str]:
    # The SDK puts App Context ids in the path unencoded and httpx escapes them later.
    decoded = unquote(raw_path)
    return [raw_path] if decoded == raw_path else [raw_path, decoded]


def _publish_path_keys(raw_path: str) -> list[str]:
    """v1 signs the subscribe key, which publish paths carry: /publish/{pub}/{sub}/…"""
    parts = raw_path.strip("/").split("/")
    if len(parts) > 2 and parts[0] in ("publish", "signal"):
        return [unquote(parts[2])]
    return []


def _query_candidates(pairs: list[tuple[str, str]]) -> Iterator[str]:
    params = sorted((k, v) for k, v in pairs if k != "signature")
    choices: list[list[str]] = []
    for _, raw in params:
        decoded = unquote(raw)
        choices.append([decoded] if decoded == raw else [decoded, raw])
    ambiguous = sum(1 for options in choices if len(options) > 1)
    if ambiguous > MAX_AMBIGUOUS_PARAMS:
        variants: Iterable[tuple[str, ...]] = [
            tuple(options[0] for options in choices), tuple(options[-1] for options in choices)]
    else:
        variants = itertools.product(*choices)
    for values in variants:
        yield "&".join(f"{key}={_encode(value)}"
                       for (key, _), value in zip(params, values, strict=True))
