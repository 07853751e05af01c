"""The Access Manager policy used when the server has a secret key.

A request passes if it is signed with the secret key (an admin: no token checks), or
if its `auth` token is ours, unrevoked, unexpired, bound to the caller's uuid (when it
names one) and grants every `Need` of the route. Everything else is refused with
PubNub's 403 body, listing what was denied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import PubNubError, access_error
from ..events import PRESENCE_SUFFIX
from ..request import caller_uuid_forms, has_param, text_param
from . import signatures, tokens
from .policy import Need
from .tokens import Token, TokenError

if TYPE_CHECKING:
    from ..routing import Call, Route

REVOKED_CAUSE = "4001"
MAX_PUBLISH_KEYS_PER_SUBKEY = 32
TOKEN_KINDS = {"channels": ("chan", "spc"), "groups": ("grp",), "uuids": ("uuid", "usr")}
"""A route's resource kind → token map names that grant it (current and legacy)."""
PAYLOAD_KEYS = {"channels": "channels", "groups": "channel-groups", "uuids": "uuids"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS pam_revoked_tokens (
    token_id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pam_publish_keys (
    subkey TEXT NOT NULL,
    pubkey TEXT NOT NULL,
    PRIMARY KEY (subkey, pubkey)
) WITHOUT ROWID;
"""


class TokenAccess:
    """Signature-or-token enforcement; its state (revocations, keys seen) is in SQLite."""

    def __init__(self, secret: str, db: sqlite3.Connection, *,
                 now: Callable[[], float], max_skew: float) -> None:
        self._secret = secret
        self._db = db
        self.now = now
        """Unix seconds; token expiry and signature freshness read it (tests move it)."""
        self.max_skew = max_skew
        db.executescript(SCHEMA)
        db.execute("DELETE FROM pam_revoked_tokens WHERE expires_at < ?", (int(now()),))
        self._revoked = {row[0] for row in db.execute("SELECT token_id FROM pam_revoked_tokens")}
        self._publish_keys: dict[str, set[str]] = {}
        for subkey, pubkey in db.execute("SELECT subkey, pubkey FROM pam_publish_keys"):
            self._publish_keys.setdefault(subkey, set()).add(pubkey)

    # the AccessPolicy protocol ------------------------------------------------

    async def authorize(self, call: Call, route: Route) -> None:
        if route.open_access:
            return
        self._learn_publish_key(call)
        if has_param(call, "signature"):
            await self._check_signature(call)
            return
        if route.signed_only:
            raise access_error(403, "Forbidden: this call needs the secret key's signature")
        needs = route.needs(call) if route.needs is not None else []
        auth = text_param(call, "auth")
        if not auth:
            raise _forbidden(needs)
        token = self.validate(auth)
        if (token.authorized_uuid is not None
                and token.authorized_uuid not in caller_uuid_forms(call)):
            raise access_error(403, "Forbidden: token is authorized for another uuid")
        denied = [need for need in needs if not self.grants(token, need)]
        if denied:
            raise _forbidden(denied)

    # tokens ---------------------------------------------------------------------

    def validate(self, text: str) -> Token:
        """The token, if it is ours, not revoked and not expired; else a 403."""
        try:
            token = tokens.decode(self._secret, text)
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
        subkey = _subkey_of(call)
        if not signatures.verify(self._secret, signed, self.publish_key_candidates(subkey)):
            raise access_error(403, "Invalid Signature")
        try:
            timestamp = int(signed.timestamp or "")
        except ValueError:
            raise access_error(400, "Invalid Timestamp") from None
        if abs(self.now() - timestamp) > self.max_skew:
            raise access_error(400, "Invalid Timestamp")

    def publish_key_candidates(self, subkey: str) -> list[str]:
        """Publish keys a signer of `subkey` may have used.

        Most requests name only the subscribe key, yet the SDK signs the publish key
        too. We try the keys seen in publish paths for this subscribe key, then the
        usual pairings (`sub-c-x` → `pub-c-x`, `demo` → `demo`).
        """
        candidates = sorted(self._publish_keys.get(subkey, ()))
        if subkey.startswith("sub-"):
            candidates.append("pub-" + subkey[4:])
        candidates.extend([subkey, ""])
        return list(dict.fromkeys(candidates))

    def _learn_publish_key(self, call: Call) -> None:
        pubkey, subkey = call.params.get("pub"), call.params.get("sub")
        if not pubkey or not subkey:
            return
        known = self._publish_keys.setdefault(subkey, set())
        if pubkey in known or len(known) >= MAX_PUBLISH_KEYS_PER_SUBKEY:
            return
        known.add(pubkey)
        self._db.execute("INSERT OR IGNORE INTO pam_publish_keys VALUES (?, ?)",
                         (subkey, pubkey))


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
