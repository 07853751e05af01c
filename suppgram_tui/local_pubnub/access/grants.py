"""Access Manager v3: grant and revoke tokens, and turn enforcement on (reference §11).

With a secret key the server enforces `TokenAccess`; without one everything stays open,
as on a keyset without Access Manager, and grant/revoke answer 400 saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import json_input
from ..errors import PubNubError, json_response, nested_error
from ..routing import Call
from . import patterns, tokens
from .enforcement import TokenAccess
from .tokens import Token, TokenError

if TYPE_CHECKING:
    from ..server import LocalServer

SERVICE = "Access Manager"
MIN_TTL, MAX_TTL = 1, 43_200
ALL_PERMISSIONS = sum(tokens.PERMISSION_BITS.values())


def register(server: LocalServer) -> None:
    secret = server.options.secret_key
    if secret:
        options = server.options
        server.access = TokenAccess(secret, server.persistence.db, now=options.wall_clock,
                                    max_skew=options.signature_skew,
                                    publish_key=options.publish_key, keysets=options.keysets)
    router = server.router
    router.add("POST", "/v3/pam/{sub}/grant", grant_token, signed_only=True)
    router.add("DELETE", "/v3/pam/{sub}/grant/{token}", revoke_token, signed_only=True)


def _policy(call: Call, source: str) -> tuple[str, TokenAccess]:
    server = call.server
    secret = server.options.secret_key
    if not secret or not isinstance(server.access, TokenAccess):
        raise nested_error(400, "Access Manager is not enabled on this server: start it "
                                "with --secret-key to grant and check tokens", source,
                           service=SERVICE)
    return secret, server.access


async def grant_token(call: Call) -> web.StreamResponse:
    """Issue a token for the permissions in the body; the caller proved the secret key."""
    secret, policy = _policy(call, "grant")
    try:
        body = json_input.loads(await call.request.text())
    except (ValueError, UnicodeDecodeError):
        raise _grant_error("Invalid request body", "must be a JSON object", "body") from None
    if not isinstance(body, dict):
        raise _grant_error("Invalid request body", "must be a JSON object", "body")
    token = _token_from_grant(body, issued=int(policy.now()))
    return json_response({"data": {"message": "Success",
                                   "token": tokens.issue(secret, call.params["sub"], token)},
                          "service": SERVICE, "status": 200})


async def revoke_token(call: Call) -> web.StreamResponse:
    """Revoke for good: the token id is kept in SQLite until the token would expire."""
    secret, policy = _policy(call, "revoke")
    try:
        token = tokens.decode(secret, call.params["sub"], call.params["token"])
    except TokenError:
        raise _revoke_error("Token is malformed.") from None
    if policy.is_expired(token):
        raise _revoke_error("Token is expired.")
    policy.revoke(token)
    return json_response({"data": {"message": "Success"}, "service": SERVICE, "status": 200})


def _token_from_grant(body: dict[str, Any], *, issued: int) -> Token:
    ttl = body.get("ttl")
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not MIN_TTL <= ttl <= MAX_TTL:
        raise _grant_error("Invalid ttl", f"Range should be {MIN_TTL} to {MAX_TTL} minute(s).",
                           "ttl")
    permissions = body.get("permissions")
    if not isinstance(permissions, dict):
        raise _grant_error("Invalid permissions", "must be an object", "permissions")
    resources = _section(permissions.get("resources"), "permissions.resources", patterns=False)
    patterns = _section(permissions.get("patterns"), "permissions.patterns", patterns=True)
    categories = _categories(permissions.get("categories"))
    if not any(resources.values()) and not any(patterns.values()) and not categories:
        raise _grant_error("Invalid permissions", "This grant contains no permissions",
                           "permissions")
    meta = permissions.get("meta") or {}
    if not isinstance(meta, dict):
        raise _grant_error("Invalid meta", "must be an object", "permissions.meta")
    authorized_uuid = permissions.get("uuid")
    if authorized_uuid is not None and (not isinstance(authorized_uuid, str)
                                        or not authorized_uuid):
        raise _grant_error("Invalid uuid", "must be a non-empty string", "permissions.uuid")
    return Token(issued=issued, ttl=ttl, resources=resources, patterns=patterns, meta=meta,
                 authorized_uuid=authorized_uuid, categories=categories)


def _section(value: Any, location: str, *, patterns: bool) -> dict[str, dict[str, int]]:
    """`{"channels": {name: mask}, ...}` → `{"chan": {name: mask}, ...}`, validated."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _grant_error("Invalid permissions", "must be an object", location)
    section: dict[str, dict[str, int]] = {}
    for kind, names in value.items():
        token_kind = tokens.RESOURCE_KEYS.get(kind)
        if token_kind is None:
            raise _grant_error("Invalid permissions", f"unknown resource type {kind!r}",
                               f"{location}.{kind}")
        if not isinstance(names, dict):
            raise _grant_error("Invalid permissions", "must be an object", f"{location}.{kind}")
        for name, mask in names.items():
            _check_mask(mask, f"{location}.{kind}.{name}")
            if patterns:
                _check_pattern(name, f"{location}.{kind}.{name}")
            elif not name:
                raise _grant_error("Invalid permissions", "resource name is empty",
                                   f"{location}.{kind}")
        if names:
            section[token_kind] = dict(names)
    return section


def _categories(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _grant_error("Invalid permissions", "must be an object",
                           "permissions.categories")
    found: dict[str, int] = {}
    for kind, mask in value.items():
        key = tokens.CATEGORY_KEYS.get(kind)
        if key is None:
            raise _grant_error("Invalid permissions", f"unknown category {kind!r}",
                               f"permissions.categories.{kind}")
        _check_mask(mask, f"permissions.categories.{kind}")
        found[key] = mask
    return found


def _check_mask(mask: Any, location: str) -> None:
    if isinstance(mask, bool) or not isinstance(mask, int) or not 0 <= mask <= ALL_PERMISSIONS:
        raise _grant_error("Invalid permissions", f"bitmask must be 0 to {ALL_PERMISSIONS}",
                           location)


def _check_pattern(pattern: str, location: str) -> None:
    """Only patterns the linear-time matcher runs (see `patterns`) are granted."""
    try:
        patterns.compile_pattern(pattern)
    except patterns.PatternError as error:
        raise _grant_error("Invalid permissions", str(error), location) from None


def _grant_error(message: str, detail: str, location: str) -> PubNubError:
    return nested_error(400, message, "grant", [{"message": detail, "location": location,
                                                "locationType": "body"}], service=SERVICE)


def _revoke_error(detail: str) -> PubNubError:
    return nested_error(400, "Invalid token", "revoke", [{"message": detail, "location": "token",
                                                         "locationType": "path"}],
                        service=SERVICE)
