"""The Access Manager policy used when the server has a secret key.

A request passes if it is signed with the secret key (an admin: no token checks), or
if its `auth` token is ours, granted on this keyset, unrevoked, unexpired, bound to the
caller's uuid (when it names one) and grants every `Need` of the route. Everything else
is refused with PubNub's 403 body, listing what was denied. A parameter these checks
read may be given once only, so the check and the handler read the same value.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..errors import PubNubError, access_error
from ..events import PRESENCE_SUFFIX
from ..request import caller_uuid, has_param, text_param
from . import signatures, tokens
from .policy import Need
from .tokens import Token, TokenError

if TYPE_CHECKING:
    from ..routing import Call, Route

REVOKED_CAUSE = "4001"
ACCESS_PARAMS = frozenset({"uuid", "auth", "signature", "timestamp", "channel-group"})
"""What the checks read; a signed request may repeat no parameter at all (PubNub's
signature rules: "Duplicate keys are not allowed")."""
TOKEN_KINDS = {"channels": ("chan", "spc"), "groups": ("grp",), "uuids": ("uuid", "usr")}
"""A route's resource kind → token map names that grant it (current and legacy)."""
PAYLOAD_KEYS = {"channels": "channels", "groups": "channel-groups", "uuids": "uuids"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS pam_revoked_tokens (
    token_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
DROP TABLE IF EXISTS pam_publish_keys;
"""
"""`pam_publish_keys` held publish keys learned from any request; keys now come from
the operator (`ServerOptions.publish_key`, `keysets`) or the request's own path."""


class TokenAccess:
    """Signature-or-token enforcement; revocations are kept in SQLite."""

    def __init__(self, secret: str, db: sqlite3.Connection, *,
                 now: Callable[[], float], max_skew: float, publish_key: str | None = None,
                 keysets: Mapping[str, str] | None = None) -> None:
        self._secret = secret
        self._db = db
        self.now = now
        """Unix seconds; token expiry and signature freshness read it (tests move it)."""
        self.max_skew = max_skew
        self._publish_key = publish_key
        self._keysets = dict(keysets or {})
        self._bound_bodies: dict[str, tuple[bytes, float]] = {}
        """Signature that does not cover its body → (that body's digest, when it goes stale)."""
        db.executescript(SCHEMA)
        db.execute("DELETE FROM pam_revoked_tokens WHERE expires_at < ?", (int(now()),))
        self._revoked = {row[0] for row in db.execute("SELECT token_id FROM pam_revoked_tokens")}

    # the AccessPolicy protocol ------------------------------------------------

    async def authorize(self, call: Call, route: Route) -> None:
        if route.open_access:
            return
        signed = has_param(call, "signature")
        _refuse_repeats(call, signed)
        if signed:
            await self._check_signature(call)
            return
        if route.signed_only:
            raise access_error(403, "Forbidden: this call needs the secret key's signature")
        needs = route.needs(call) if route.needs is not None else []
        auth = text_param(call, "auth")
        if not auth:
            raise _forbidden(needs)
        token = self.validate(auth, _subkey_of(call))
        if token.authorized_uuid is not None and token.authorized_uuid != caller_uuid(call):
            raise access_error(403, "Forbidden: token is authorized for another uuid")
        denied = [need for need in needs if not self.grants(token, need)]
        if denied:
            raise _forbidden(denied)

    # tokens ---------------------------------------------------------------------

    def validate(self, text: str, subkey: str) -> Token:
        """The token, if it is ours, granted for `subkey`, not revoked and not expired;
        else a 403."""
        try:
            token = tokens.decode(self._secret, subkey, text)
        except TokenError as error:
            raise access_error(403, str(error)) from None
        if token.token_id in self._revoked:
            raise access_error(403, "Token is revoked", cause=REVOKED_CAUSE)
        if self.is_expired(token):
            raise access_error(403, "Token is expired")
        return token

    def is_expired(self, token: Token) -> bool:
        return token.expires_at < self.now()

    def revoke(self, token: Token) -> None:
        if token.token_id in self._revoked:
            return
        self._revoked.add(token.token_id)
        self._db.execute("INSERT OR IGNORE INTO pam_revoked_tokens VALUES (?, ?)",
                         (token.token_id, token.expires_at))

    def grants(self, token: Token, need: Need) -> bool:
        """Exact names first, then patterns; presence channels also follow their base.

        PubNub's docs say read on a channel covers its `-pnpres` companion, while older
        material asks for an explicit `-pnpres` grant; either is accepted.
        """
        if need.kind == "categories":
            key = tokens.CATEGORY_KEYS.get(need.name, need.name)
            return tokens.mask_allows(token.categories.get(key, 0), need.permission)
        if self._grants_name(token, need.kind, need.name, need.permission):
            return True
        if need.permission == "read" and need.name.endswith(PRESENCE_SUFFIX):
            base = need.name[: -len(PRESENCE_SUFFIX)]
            return bool(base) and self._grants_name(token, need.kind, base, "read")
        return False

    @staticmethod
    def _grants_name(token: Token, kind: str, name: str, permission: str) -> bool:
        if permission not in tokens.PERMISSION_BITS:
            return False
        token_kinds = TOKEN_KINDS.get(kind, ())
        for token_kind in token_kinds:
            mask = token.resources.get(token_kind, {}).get(name)
            if mask is not None and tokens.mask_allows(mask, permission):
                return True
        for token_kind in token_kinds:
            for pattern, mask in token.patterns.get(token_kind, {}).items():
                if tokens.mask_allows(mask, permission) and tokens.pattern_matches(pattern, name):
                    return True
        return False

    # signatures -----------------------------------------------------------------

    async def _check_signature(self, call: Call) -> None:
        request = call.request
        body = await request.read() if request.body_exists else b""  # read once, cached
        signed = signatures.SignedRequest(
            request.method, request.rel_url.raw_path, call.query.raw, body,
            request.headers.get("Content-Encoding", ""))
        coverage = signatures.verify(self._secret, signed, self.publish_key_candidates(call))
        if coverage is None:
            raise access_error(403, "Invalid Signature")
        try:
            timestamp = int(signed.timestamp or "")
        except ValueError:
            raise access_error(400, "Invalid Timestamp") from None
        if abs(self.now() - timestamp) > self.max_skew:
            raise access_error(400, "Invalid Timestamp")
        if coverage is signatures.Coverage.WITHOUT_BODY:
            self._bind_body(signed.signature or "", body, timestamp + self.max_skew)

    def publish_key_candidates(self, call: Call) -> list[str]:
        """Publish keys a signer of this request may have used.

        A publish or signal path names its publish key: that one. Other requests name
        only the subscribe key, yet the SDK signs the publish key too: the operator's key
        for that keyset (`keysets`, else `publish_key`), else the usual pairings
        (`sub-c-x` → `pub-c-x`, `demo` → `demo`). Never a key some request merely named.
        """
        in_path = call.params.get("pub")
        if in_path:
            return [in_path]
        subkey = _subkey_of(call)
        given = self._keysets.get(subkey, self._publish_key)
        if given is not None:
            return [given]
        candidates = ["pub-" + subkey[4:]] if subkey.startswith("sub-") else []
        return list(dict.fromkeys([*candidates, subkey, ""]))

    def _bind_body(self, signature: str, body: bytes, stale_at: float) -> None:
        """Tie a signature that does not cover the body to the first body it came with.

        Both official SDKs sign a POST publish without its body (Python: v1; JS: v2 as a
        bodiless GET), so the signature alone cannot tell the message was not swapped.
        While it is fresh it may be sent again with the same body (a retry, like a GET
        publish), never with another one.
        """
        now = self.now()
        for oldest, (_, stale) in list(itertools.islice(self._bound_bodies.items(), 8)):
            if stale >= now:
                break
            del self._bound_bodies[oldest]  # kept in arrival order: the stale go first
        digest = hashlib.sha256(body).digest()
        seen = self._bound_bodies.get(signature)
        if seen is not None and seen[1] >= now and seen[0] != digest:
            raise access_error(403, "Invalid Signature: already used with another body")
        self._bound_bodies[signature] = (digest, stale_at)


def _refuse_repeats(call: Call, signed: bool) -> None:
    repeated = call.query.repeated()
    if not signed:
        repeated &= ACCESS_PARAMS
    if repeated:
        names = ", ".join(sorted(repeated))
        raise access_error(400, f"Invalid Arguments: {names} given more than once")


def _subkey_of(call: Call) -> str:
    sub = call.params.get("sub")
    if sub:
        return sub
    parts = call.request.rel_url.path.strip("/").split("/")
    if "sub-key" in parts[:-1]:  # /v2/presence/sub-key/{sub}/…, /v3/history/sub-key/{sub}/…
        return parts[parts.index("sub-key") + 1]
    # /v2/subscribe/{sub}/…, /v2/objects/{sub}/…, /v1/message-actions/{sub}/…, /v3/pam/{sub}/…
    return parts[2] if len(parts) > 2 else ""


def _forbidden(denied: list[Need]) -> PubNubError:
    payload: dict[str, list[str]] = {}
    for need in denied:
        names = payload.setdefault(PAYLOAD_KEYS.get(need.kind, need.kind), [])
        if need.name not in names:
            names.append(need.name)
    return access_error(403, "Forbidden", payload=payload)
