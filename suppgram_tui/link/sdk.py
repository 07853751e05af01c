"""The PubNub SDK as the link uses it: building a client, running a request, and the
workarounds SDK 10.8 needs, each in one place (reference §12.1)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TypeVar

from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio

from .errors import LinkRequestError
from .settings import LinkSettings

Request = TypeVar("Request")


def make_client(settings: LinkSettings, user_id: str | None = None, *, secret: bool = True,
                token: str | None = None) -> PubNubAsyncio:
    """A client of the keyset and origin in `settings`, as `user_id` (the support user by
    default). `secret` signs with the secret key, which only a backend may hold; `token`
    is an Access Manager token to send instead."""
    config = PNConfiguration()
    config.publish_key = settings.publish_key
    config.subscribe_key = settings.subscribe_key
    config.uuid = user_id or settings.user_id
    config.ssl = settings.ssl
    if settings.origin:
        config.origin = settings.origin
    if secret:
        config.secret_key = settings.secret_key
    client = PubNubAsyncio(config)
    if token:
        client.set_token(token)
    return client


async def call(request: Any, counter: Counter[str] | None = None) -> Any:
    """Run one SDK request; its result, or `LinkRequestError` in words. `counter` counts
    requests by endpoint name (FetchMessages, MessageCount, ...)."""
    operation = type(request).__name__
    if counter is not None:
        counter[operation] += 1
    envelope = await request.future()
    if envelope.status.is_error():
        raise LinkRequestError(envelope.status, operation)
    return envelope.result


def fresh(request: Request) -> Request:
    """An App Context request without the If-Match header an earlier one left behind:
    SDK 10.8 keeps `_custom_headers` on the endpoint class, so one conditional update
    makes every later objects request conditional too (reference §12.1)."""
    request._custom_headers = {}  # type: ignore[attr-defined]
    return request


def with_body(request: Request, body: dict[str, Any]) -> Request:
    """Send exactly `body`: the SDK writes every field it knows, and its `"custom": null`
    would clear the state that a create must leave as it finds it."""
    request.build_data = lambda: json.dumps(body)  # type: ignore[attr-defined]
    return request


def with_custom_message_types(request: Request) -> Request:
    """A history fetch that keeps each message's custom message type: SDK 10.8 asks for
    it (`include_custom_message_type`) but drops it from the items it builds, so copy it
    from the JSON onto each item as `custom_message_type` (reference §12.1)."""
    parse = request.create_response  # type: ignore[attr-defined]

    def create_response(envelope: Any) -> Any:
        result = parse(envelope)
        for channel, raw_items in (envelope.get("channels") or {}).items():
            for raw, item in zip(raw_items, result.channels.get(channel, []), strict=False):
                custom_type = raw.get("custom_message_type") if isinstance(raw, dict) else None
                item.custom_message_type = custom_type if isinstance(custom_type, str) else None
        return result

    request.create_response = create_response  # type: ignore[attr-defined]
    return request.include_custom_message_type(True)  # type: ignore[attr-defined]
