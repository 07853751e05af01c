"""PubNub's error bodies in words: which permission on which resource was denied, and
when the keys or the token themselves are wrong.

An Access Manager 403 lists the resources it refused (`payload`), never the permission:
that follows from the request, so each SDK endpoint is mapped to the permission PubNub
checks for it.
"""

from __future__ import annotations

from typing import Any

PERMISSIONS = {
    "ListChannelsInChannelGroup": "manage", "AddChannelToChannelGroup": "manage",
    "RemoveChannelFromChannelGroup": "manage", "RemoveChannelGroup": "manage",
    "FetchMessages": "read", "MessageCount": "read", "History": "read",
    "HereNow": "read", "Subscribe": "read", "Leave": "read", "Heartbeat": "read",
    "Publish": "write", "Signal": "write",
    "GetAllChannels": "get", "GetChannel": "get", "SetChannel": "update",
    "RemoveChannel": "delete",
}
"""SDK endpoint class → the Access Manager permission PubNub requires for it."""
RESOURCE_WORDS = {"channels": "channel", "channel-groups": "channel group",
                  "groups": "channel group", "uuids": "user"}
CATEGORY_WORDS = {"channels": "App Context's channels category (listing channel metadata)",
                  "uuids": "App Context's users category (listing user metadata)"}
GRANT_HINT = "mint a token with `suppgram-tui grant-token`"


def denied_resources(body: Any) -> list[str]:
    """The refused resources of an Access Manager 403, in words ("channel group support")."""
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, dict):
        return []
    found = []
    for kind, names in payload.items():
        if not isinstance(names, list):
            continue
        if kind == "categories":
            found += [CATEGORY_WORDS.get(str(name), f"the {name} category") for name in names]
        else:
            word = RESOURCE_WORDS.get(kind, kind)
            found += [f"{word} {name}" for name in names]
    return found


def server_message(body: Any) -> str | None:
    """The message of any of PubNub's error body shapes."""
    if isinstance(body, list) and len(body) > 1 and isinstance(body[1], str):
        return body[1]  # publish: [0, "Message Too Large", "<tt>"]
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]  # App Context, Access Manager v3
    for key in ("message", "error_message"):
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    return None


def key_problem(status_code: int | None, body: Any) -> str | None:
    """One sentence when PubNub rejected the keys or the token themselves; else None."""
    message = (server_message(body) or "").strip().rstrip(".")
    lowered = message.lower()
    if status_code not in (400, 403) or not message:
        return None
    if lowered.startswith("invalid signature"):
        return ("PUBNUB_SECRET_KEY is not this keyset's secret key "
                f"(PubNub answered {message!r}).")
    if lowered == "invalid subscribe key":
        return ("PUBNUB_SUBSCRIBE_KEY is not a key PubNub knows "
                "(PubNub answered 'Invalid Subscribe Key').")
    if lowered == "invalid publish key":
        return ("PUBNUB_PUBLISH_KEY is not a key PubNub knows "
                "(PubNub answered 'Invalid Publish Key').")
    if "token" not in lowered:
        return None
    if "expired" in lowered:
        return f"PUBNUB_TOKEN has expired: {GRANT_HINT}."
    if "revoked" in lowered:
        return f"PUBNUB_TOKEN was revoked: {GRANT_HINT}."
    if "another uuid" in lowered or "authorized" in lowered:
        return ("PUBNUB_TOKEN was granted to another user id than this console's "
                f"--pubnub-user-id: {GRANT_HINT} for it.")
    return (f"PUBNUB_TOKEN is not a token of this keyset (PubNub answered {message!r}): "
            f"{GRANT_HINT}.")


def describe_failure(status_code: int | None, body: Any, operation: str | None,
                     fallback: Any) -> str:
    """A failed request in words, never a Python dict."""
    problem = key_problem(status_code, body)
    if problem:
        return problem
    resources = denied_resources(body)
    if status_code == 403 and resources:
        permission = PERMISSIONS.get(operation or "")
        what = f"{permission} on " if permission else "access to "
        return f"Access Manager denied {what}{', '.join(resources)}."
    message = server_message(body)
    if status_code:
        return f"HTTP {status_code}: {message or _plain(fallback)}"
    return _plain(fallback)


def _plain(fallback: Any) -> str:
    return str(fallback or "request failed")[:300]
