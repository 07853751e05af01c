"""What the keyset and the token offer: history, presence, App Context, each missing
one in words."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pubnub.pubnub_asyncio import PubNubAsyncio

from .errors import KeysRejected, LinkRequestError
from .events import LOCAL_GROUP_CAPACITY, PUBNUB_GROUP_CAPACITY, STATE_PREFIX, Features
from .refusals import GRANT_HINT
from .sdk import fresh
from .settings import LinkSettings

log = logging.getLogger(__name__)


async def probe_keyset(client: PubNubAsyncio, call: Callable[[Any], Awaitable[Any]],
                   settings: LinkSettings,
                   list_channels: Callable[[str], Awaitable[list[str]]]) -> Features:
    """Ask the keyset what it offers; each missing feature becomes a sentence.

    History and presence are probed on a real customer channel when the groups have
    one, so a token that grants only those channels is not mistaken for a keyset
    without the feature. Keys or a token PubNub rejects outright raise `KeysRejected`;
    a permission the token lacks degrades the feature it serves, said in words.
    """
    notes: list[str] = []
    history = app_context = presence = True
    await call(client.time())  # unreachable origin: nothing else can work
    sample: str | None = None
    for group in settings.channel_groups:
        try:
            channels = await list_channels(group)
        except LinkRequestError as error:
            _raise_if_keys_rejected(error)
            if error.refused:
                notes.append(f"Channel group {group} cannot be listed: {error} Its "
                             f"conversations appear as their customers write; {GRANT_HINT} "
                             "to load them at start.")
            else:
                notes.append(f"Channel group {group} cannot be listed ({error}).")
            continue
        # a name the SDK cannot send must not turn history off for every channel
        plain = [ch for ch in channels if ch.isprintable() and " " not in ch]
        sample = sample or (plain[0] if plain else None)
    if sample is not None:
        try:
            await call(client.fetch_messages().channels([sample])
                             .maximum_per_channel(1))
        except LinkRequestError as error:
            _raise_if_keys_rejected(error)
            if error.status_code is None:  # failed client-side: the sample, not the keyset
                log.warning("history probe on %r failed: %s", sample, error)
            elif error.refused and error.denied:
                history = False
                notes.append(f"No history: {error} Conversations start empty.")
            else:
                history = False
                notes.append(f"Message Persistence is not available ({error}); "
                             "conversations start empty.")
        try:
            await call(client.here_now().channels([sample]))
        except LinkRequestError as error:
            presence = False
            notes.append(f"Presence is not available ({error}); online dots are hidden.")
    try:
        await call(fresh(client.get_all_channel_metadata().limit(1)))
        if sample is not None:
            await _state_readable(client, call, sample)
    except LinkRequestError as error:
        _raise_if_keys_rejected(error)
        app_context = False
        if error.refused and error.denied:
            notes.append(f"Local-only state: {error} Claims, tags and resolutions stay on "
                         f"this console; {GRANT_HINT}.")
        else:
            notes.append(f"App Context is not available ({error}); claims stay local to "
                         "this console.")
    capacity = LOCAL_GROUP_CAPACITY if settings.local else PUBNUB_GROUP_CAPACITY
    return Features(history=history, app_context=app_context, presence=presence,
                    group_capacity=capacity, notes=tuple(notes))


async def _state_readable(client: PubNubAsyncio, call: Callable[[Any], Awaitable[Any]],
                          channel: str) -> None:
    """`get` on one conversation's state object; never written is as good as found."""
    try:
        await call(fresh(client.get_channel_metadata().channel(STATE_PREFIX + channel)))
    except LinkRequestError as error:
        if error.status_code != 404:
            raise


def _raise_if_keys_rejected(error: LinkRequestError) -> None:
    if error.key_problem:
        raise KeysRejected(error.key_problem) from None
