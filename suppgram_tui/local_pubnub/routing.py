"""A small router over raw path segments.

aiohttp's own placeholders answer 404 when a segment holds `%2F` (a URL in a chat
message), so every request lands on one catch-all route and is matched here against
the percent-encoded path, segment by segment (reference §0.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web

from .access.policy import Need
from .errors import LOCAL_ERRORS, ErrorShape

if TYPE_CHECKING:
    from .request import Query
    from .server import LocalServer

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]
NeedsFn = Callable[["Call"], list[Need]]


@dataclass
class Call:
    """One request as a handler sees it: decoded path parameters and the query.

    Handlers read the query through `request.py`'s helpers, never `request.query`.
    """

    request: web.Request
    params: dict[str, str]
    raw_params: dict[str, str]
    server: LocalServer
    query: Query
    body: bytes = b""
    """The request body, read before the access check (a route's needs may name what
    it lists, as a membership write names its channels)."""


@dataclass(frozen=True)
class Feature:
    """A keyset add-on that `ServerOptions.disabled_features` can switch off (a 403)."""

    key: str
    """Its name in `disabled_features` and in the 403's `service`."""
    label: str
    """How PubNub's 403 message names it."""


@dataclass
class Route:
    method: str
    segments: list[str]
    handler: Handler
    needs: NeedsFn | None = None
    signed_only: bool = False
    open_access: bool = False
    feature: Feature | None = None
    errors: ErrorShape = LOCAL_ERRORS

    def match(self, method: str, parts: list[str]) -> tuple[dict[str, str], dict[str, str]] | None:
        if method != self.method or len(parts) != len(self.segments):
            return None
        decoded: dict[str, str] = {}
        raw: dict[str, str] = {}
        for pattern, part in zip(self.segments, parts, strict=True):
            if pattern.startswith("{"):
                name = pattern[1:-1]
                raw[name] = part
                decoded[name] = unquote(part)
            elif pattern != part:
                return None
        return decoded, raw


class Router:
    """Routes registered by each service module; matched in registration order."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, needs: NeedsFn | None = None,
            signed_only: bool = False, open_access: bool = False,
            feature: Feature | None = None, errors: ErrorShape = LOCAL_ERRORS) -> None:
        """Register `handler` for a path like `/publish/{pub}/{sub}/0/{channel}/0`.

        `needs` names the Access Manager permissions a token must grant; `signed_only`
        routes (grant, revoke) accept only the secret key's signature; `open_access`
        routes (time) need neither. A route of a keyset add-on names its `feature`, and
        a route of a PubNub service the `errors` shape of that service.
        """
        segments = pattern.strip("/").split("/")
        self.routes.append(Route(method, segments, handler, needs, signed_only, open_access,
                                 feature, errors))

    def resolve(
        self, method: str, raw_path: str
    ) -> tuple[Route, dict[str, str], dict[str, str]] | None:
        parts = raw_path.strip("/").split("/")
        for route in self.routes:
            found = route.match(method, parts)
            if found is not None:
                return route, found[0], found[1]
        return None

    def allowed_methods(self, raw_path: str) -> set[str]:
        parts = raw_path.strip("/").split("/")
        return {r.method for r in self.routes if r.match(r.method, parts) is not None}
