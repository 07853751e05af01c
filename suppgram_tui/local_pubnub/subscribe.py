"""Subscribe v2 long-poll (reference §4): a handshake, then every event after a cursor."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import json_response, service_error, service_errors
from .events import FILE, REGION, Event
from .keyset import Subscription
from .message_filter import FilterSyntaxError, MessageFilter, compile_filter
from .request import path_names, query_names, read_channels_and_groups, text_param, timetoken_param
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

MAX_EVENTS_PER_POLL = 100
ERRORS = service_errors("Subscribe")
BAD_PARAM = ERRORS.bad_param


def register(server: LocalServer) -> None:
    server.router.add("GET", "/v2/subscribe/{sub}/{channels}/0", subscribe,
                      needs=read_channels_and_groups, errors=ERRORS)


async def subscribe(call: Call) -> web.StreamResponse:
    """Handshake at `tt=0`; otherwise every event after `tt`, held open until one comes."""
    server = call.server
    keyset = server.keyset(call.params["sub"])
    channels = frozenset(path_names(call, "channels"))
    groups = frozenset(query_names(call, "channel-group"))
    if not channels and not groups:
        raise service_error(400, "No channels or channel groups to subscribe to", "Presence")
    cursor = timetoken_param(call, "tt", BAD_PARAM) or 0
    message_filter = _message_filter(call)
    subscription = Subscription(channels, groups)
    await server.observe_subscribe(call, keyset, subscription)
    if cursor == 0:
        return _poll_response(server.clock.next(), [], keyset.subkey)
    found, next_cursor = _pending(keyset, subscription, cursor, message_filter)
    if not found:
        found, next_cursor = await _wait_for_events(call, keyset, subscription, next_cursor,
                                                    message_filter)
    return _poll_response(next_cursor, found, keyset.subkey)


def _message_filter(call: Call) -> MessageFilter | None:
    """The poll's `filter-expr` (sent by the JS SDK whenever a filter is configured)."""
    try:
        return compile_filter(text_param(call, "filter-expr"))
    except FilterSyntaxError as error:
        raise service_error(400, f"Invalid filter expression: {error}", "Subscribe") from None


def _pending(keyset: Any, subscription: Subscription, cursor: int,
             message_filter: MessageFilter | None) -> tuple[list[tuple[Event, str | None]], int]:
    """Events after `cursor` that pass the filter, and the cursor past every event looked at.

    Messages the filter rejects are skipped but still move the cursor (reference §4.6);
    the filter applies to published messages (and files), not to signals, presence,
    App Context or message-action events [?].
    """
    while True:
        found = keyset.events_after(subscription, cursor, MAX_EVENTS_PER_POLL)
        if not found:
            return [], cursor
        cursor = found[-1][0].timetoken
        if message_filter is None:
            return found, cursor
        kept = [(event, via) for event, via in found
                if event.is_presence or event.event_type not in (None, FILE)
                or message_filter.accepts(event.meta, event.payload)]
        if kept:
            return kept, cursor


async def _wait_for_events(
    call: Call, keyset: Any, subscription: Subscription, cursor: int,
    message_filter: MessageFilter | None,
) -> tuple[list[tuple[Event, str | None]], int]:
    """Park the poll until an event for it arrives or the hold time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + call.server.options.poll_timeout
    try:
        await keyset.park(subscription)
        found, cursor = _pending(keyset, subscription, cursor, message_filter)
        if found:  # it came while the poll was being registered
            return found, cursor
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return [], cursor
            try:
                await asyncio.wait_for(subscription.woken.wait(), remaining)
            except asyncio.TimeoutError:
                return [], cursor
            subscription.woken.clear()
            if call.server.closing:
                return [], cursor  # shutting down: answer now, the client will reconnect
            found, cursor = _pending(keyset, subscription, cursor, message_filter)
            if found:
                return found, cursor
    finally:
        keyset.unpark(subscription)


def _poll_response(cursor: int, found: list[tuple[Event, str | None]],
                   subkey: str) -> web.StreamResponse:
    messages = [event.envelope(subkey, via) for event, via in found]
    return json_response({"t": {"t": str(cursor), "r": REGION}, "m": messages})
