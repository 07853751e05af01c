"""Access Manager v3 tokens: PubNub's CBOR format, signed with the server's secret key.

A token is base64url of a CBOR map whose keys are byte strings (reference §11.2), with
the `=` padding kept, because the SDK's `parse_token` decodes without re-padding. The
`sig` is our own choice: HMAC-SHA256 of the canonical CBOR of the subscribe key and the
map without `sig`, so only this server's secret key can mint a token it accepts, and a
token works only on the keyset that granted it (PubNub signs per keyset).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

import cbor2

from . import patterns

TOKEN_VERSION = 2
RESOURCE_KEYS = {"channels": "chan", "groups": "grp", "uuids": "uuid", "users": "usr",
                 "spaces": "spc"}
"""Grant request names → token map names; users/spaces are PubNub's legacy aliases."""
PERMISSION_BITS = {"read": 1, "write": 2, "manage": 4, "delete": 8, "create": 16, "get": 32,
                   "update": 64, "join": 128}
CATEGORY_KEYS = {"channels": "chan", "uuids": "uuid"}


class TokenError(Exception):
    """A token this server did not issue: undecodable, wrong shape or wrong signature."""


@dataclass(frozen=True)
class Token:
    """The decoded grant: who may do what, from when, for how long."""

    issued: int
    """Unix seconds."""
    ttl: int
    """Minutes."""
    resources: dict[str, dict[str, int]]
    """Token resource type (`chan`, `grp`, `uuid`, `usr`, `spc`) → exact name → bitmask."""
    patterns: dict[str, dict[str, int]]
    """Same shape as `resources`, keyed by regular expression."""
    meta: dict[str, Any] = field(default_factory=dict)
    authorized_uuid: str | None = None
    categories: dict[str, int] = field(default_factory=dict)
    """`chan`/`uuid` → bitmask for "list all" App Context calls (SDK 10.8 `cat`)."""
    signature: bytes = b""

    @property
    def expires_at(self) -> int:
        return self.issued + self.ttl * 60

    @property
    def token_id(self) -> str:
        """A stable id for revocation lists; the signature is unique per issued token."""
        return self.signature.hex()


def issue(secret: str, subkey: str, token: Token) -> str:
    """Encode and sign `token` for keyset `subkey` (its `signature` is ignored) the way
    PubNub lays it out."""
    body: dict[bytes, Any] = {
        b"v": TOKEN_VERSION,
        b"t": token.issued,
        b"ttl": token.ttl,
        b"res": _wire_permissions(token.resources),
        b"pat": _wire_permissions(token.patterns),
        b"meta": token.meta,
    }
    if token.authorized_uuid is not None:
        body[b"uuid"] = token.authorized_uuid
    if token.categories:
        body[b"cat"] = {name.encode(): mask for name, mask in token.categories.items()}
    body[b"sig"] = _sign(secret, subkey, body)
    return base64.urlsafe_b64encode(cbor2.dumps(body)).decode("ascii")


def decode(secret: str, subkey: str, text: str) -> Token:
    """Decode a token and check its signature; raise `TokenError` if it is not ours or
    was granted for another subscribe key."""
    try:
        raw = base64.urlsafe_b64decode(_pad(text.strip()).encode("ascii"))
        body = cbor2.loads(raw)
    except (ValueError, binascii.Error, cbor2.CBORDecodeError, UnicodeEncodeError) as error:
        raise TokenError("Token is malformed") from error
    if not isinstance(body, dict):
        raise TokenError("Token is malformed")
    signature = body.pop(b"sig", None)
    try:
        expected = _sign(secret, subkey, body)
    except (ValueError, TypeError, cbor2.CBOREncodeError) as error:
        raise TokenError("Token is malformed") from error
    if not isinstance(signature, bytes) or not hmac.compare_digest(signature, expected):
        raise TokenError("Token signature is invalid")
    try:
        return Token(
            issued=_int(body[b"t"]),
            ttl=_int(body[b"ttl"]),
            resources=_read_permissions(body[b"res"]),
            patterns=_read_permissions(body[b"pat"]),
            meta=dict(body.get(b"meta") or {}),
            authorized_uuid=_optional_text(body.get(b"uuid")),
            categories={_text(k): _int(v) for k, v in (body.get(b"cat") or {}).items()},
            signature=signature,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TokenError("Token is malformed") from error


def mask_allows(mask: int, permission: str) -> bool:
    return bool(mask & PERMISSION_BITS[permission])


def pattern_matches(pattern: str, name: str) -> bool:
    """Pattern grants match the whole name (`re.fullmatch` semantics, in linear time):
    an unanchored `cust-1` must not grant `cust-10`; anchored patterns (`^cust-1$`)
    behave the same either way."""
    return patterns.matches(pattern, name)


def _sign(secret: str, subkey: str, body: dict[bytes, Any]) -> bytes:
    # Canonical CBOR, so the check does not depend on how the map was ordered; the
    # subscribe key is signed but not stored, so the token keeps PubNub's layout.
    content = cbor2.dumps([subkey, body], canonical=True)
    return hmac.new(secret.encode("utf-8"), content, hashlib.sha256).digest()


def _wire_permissions(section: dict[str, dict[str, int]]) -> dict[bytes, dict[str, int]]:
    """Every resource type present, empty or not: the SDK's parser iterates them all."""
    wire: dict[bytes, dict[str, int]] = {
        key.encode(): {} for key in ("chan", "grp", "spc", "usr", "uuid")}
    for kind, names in section.items():
        wire[kind.encode()] = dict(names)
    return wire


def _read_permissions(section: Any) -> dict[str, dict[str, int]]:
    return {_text(kind): {_text(name): _int(mask) for name, mask in names.items()}
            for kind, names in section.items()}


def _pad(text: str) -> str:
    """Accept tokens that lost their padding on the way (some clients strip `=`)."""
    return text + "=" * (-len(text) % 4)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    raise TypeError(f"expected text, got {type(value).__name__}")


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value
