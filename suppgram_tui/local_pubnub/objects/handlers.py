"""App Context endpoints for one object (get, set, remove) and their registration.

Writes check If-Match against the store's ETags and announce `e:2` events when
`ServerOptions.objects_events` is on (reference §10.5).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..access.policy import Need
from ..errors import invalid_data, json_response, nested_error, nested_errors
from ..events import OBJECTS, Event
from ..limits import MAX_OBJECT_BYTES, MAX_UUID, json_size
from ..request import need_on, query_words
from ..routing import Call, Feature, NeedsFn
from . import memberships
from .listing import list_objects
from .membership_store import MembershipStore
from .store import (
    CHANNELS,
    SOURCE,
    UUIDS,
    Kind,
    ObjectStore,
    StoredObject,
    issued_for_another,
    render,
    same_fields,
)
from .validation import check_custom, check_text, json_body

if TYPE_CHECKING:
    from ..server import LocalServer

APP_CONTEXT = Feature("app_context", "App Context")
ObjectHandler = Callable[[Call, ObjectStore, Kind], Awaitable[web.StreamResponse]]


def register(server: LocalServer) -> None:
    store = ObjectStore(server.persistence.db)
    stores = memberships.Stores(store, MembershipStore(server.persistence.db))
    add = partial(server.router.add, feature=APP_CONTEXT, errors=nested_errors(SOURCE))
    remove = partial(remove_object, membership_store=stores.memberships)
    for kind in (CHANNELS, UUIDS):
        one = f"/v2/objects/{{sub}}/{kind.path}/{{id}}"
        add("GET", one, _bound(get_object, store, kind), needs=need_on(kind.path, "id", "get"))
        add("PATCH", one, _bound(set_object, store, kind),
            needs=need_on(kind.path, "id", "update"))
        add("DELETE", one, _bound(remove, store, kind),
            needs=need_on(kind.path, "id", "delete"))
        add("GET", f"/v2/objects/{{sub}}/{kind.path}", _bound(list_objects, store, kind),
            needs=_list_needs(kind))
    memberships.register(server, stores, add)


def _list_needs(kind: Kind) -> NeedsFn:
    """Listing names no single object: it needs `get` on the whole category, unless
    the server lets any valid token list (`ServerOptions.get_all_metadata_open`)."""
    def needs(call: Call) -> list[Need]:
        if call.server.options.get_all_metadata_open:
            return []
        return [Need("categories", kind.path, "get")]
    return needs


def _bound(handler: ObjectHandler, store: ObjectStore,
           kind: Kind) -> Callable[[Call], Awaitable[web.StreamResponse]]:
    async def handle(call: Call) -> web.StreamResponse:
        return await handler(call, store, kind)
    return handle


def _subkey(call: Call) -> str:
    return call.server.keyset(call.params["sub"]).subkey


def _answer(kind: Kind, stored: StoredObject, call: Call) -> web.StreamResponse:
    data = render(kind, stored, set(query_words(call, "include")))
    return json_response({"status": 200, "data": data}, content_type="application/json")


def _check_if_match(call: Call, kind: Kind, object_id: str, current: StoredObject | None,
                    verb: str) -> None:
    """412 when If-Match names an older version of this object.

    The SDK leaks the last If-Match onto every later App Context request (reference
    §12.1), so an ETag this server issued for *another* object is ignored, not refused.
    """
    wanted = call.request.headers.get("If-Match")
    if wanted is None:
        return
    wanted = wanted.strip().removeprefix("W/").strip('"')
    if wanted == "*" and current is not None:
        return
    if issued_for_another(_subkey(call), kind, object_id, wanted):
        return
    if current is None or current.etag != wanted:
        raise nested_error(412, f"{kind.label} to {verb} has been modified after it was read.",
                           SOURCE)


def _object_id(call: Call) -> str:
    object_id = call.params["id"]
    if not object_id or len(object_id) > MAX_UUID:  # channel ids too (see limits.py)
        raise invalid_data(SOURCE, "id", f"must be 1 to {MAX_UUID} characters", "path")
    return object_id


async def get_object(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """If-Match is ignored here: the SDK sends a leaked one on reads too."""
    stored = store.get(_subkey(call), kind, _object_id(call))
    if stored is None:
        raise nested_error(404, "Requested object was not found.", SOURCE)
    return _answer(kind, stored, call)


async def set_object(call: Call, store: ObjectStore, kind: Kind) -> web.StreamResponse:
    """Upsert: keys in the body overwrite (null clears), absent keys are kept (§10.2)."""
    object_id = _object_id(call)
    written = _written_fields(kind, await call.request.read())
    # No await from here on: read, check and write are one step, so racing
    # conditional writes cannot both pass the If-Match check.
    subkey = _subkey(call)
    current = store.get(subkey, kind, object_id)
    _check_if_match(call, kind, object_id, current, "update")
    fields = {**(current.fields if current else {}), **written}
    if json_size({"id": object_id, **fields}) > MAX_OBJECT_BYTES:
        raise invalid_data(SOURCE, "body", f"the object would exceed {MAX_OBJECT_BYTES} bytes "
                                           "(every field counts, custom included)")
    if current is not None and same_fields(fields, current.fields):
        stored = current  # nothing changed: same ETag, no event
    else:
        stored = store.write(subkey, kind, object_id, fields, call.server.clock.next())
        _announce(call, kind, object_id, stored.updated, "set", {
            "id": object_id, **written, "updated": stored.record["updated"],
            "eTag": stored.etag})
    return _answer(kind, stored, call)


async def remove_object(call: Call, store: ObjectStore, kind: Kind, *,
                        membership_store: MembershipStore | None = None) -> web.StreamResponse:
    """Removing an unknown id is a 200 too, with no event. With referential integrity
    on, the object's memberships go with it, as PubNub documents."""
    object_id = _object_id(call)
    current = store.get(_subkey(call), kind, object_id)
    _check_if_match(call, kind, object_id, current, "delete")
    if current is not None:
        store.delete(_subkey(call), kind, object_id)
        _announce(call, kind, object_id, call.server.clock.next(), "delete", {"id": object_id})
    if membership_store is not None and call.server.options.membership_integrity:
        memberships.remove_all_of(call, membership_store, kind, object_id)
    return json_response({"status": 200, "data": None}, content_type="application/json")


def _announce(call: Call, kind: Kind, object_id: str, timetoken: int, event: str,
              data: dict[str, Any]) -> None:
    """Deliver an `e:2` event on the channel named by the object's id (§10.5)."""
    server = call.server
    if not server.options.objects_events:
        return
    payload = {"source": SOURCE, "version": "2.0", "event": event, "type": kind.event_type,
               "data": data}
    server.keyset(call.params["sub"]).append(
        Event(timetoken, object_id, payload, event_type=OBJECTS))


def _written_fields(kind: Kind, body: bytes) -> dict[str, Any]:
    """The known keys of a set body, checked: strings or null, `custom` flat scalars."""
    document = json_body(body)
    written: dict[str, Any] = {}
    for name in kind.fields:
        if name not in document:
            continue
        value = document[name]
        if name == "custom":
            check_custom(value)
        else:
            check_text(value, name)
        written[name] = value
    return written
