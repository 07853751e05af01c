"""App Context memberships (a uuid's channels) and members (a channel's uuids).

GET lists them; PATCH applies a body's `delete` then `set` items and answers the list
as it then is, as PubNub's "Set membership metadata" does. Both directions read and
write the same records (`membership_store`); the Chat SDK's joins, invites, unread
counts, read receipts and restrictions are all made of them.

Shapes follow PubNub's recorded answers: an item names the other side as `{"id"}`
unless `include` asks for it (`channel`, or any `channel.<field>`) and it has metadata;
`custom`, `status`, `type` appear only when included; `totalCount` only with `count`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..access.policy import Need
from ..errors import PubNubError, invalid_data, json_response
from ..events import OBJECTS, Event
from ..limits import MAX_OBJECT_BYTES, MAX_UUID, json_size
from ..request import flag, need_on, query_words
from ..routing import Call, Handler, NeedsFn
from .listing import paged, with_page_links
from .membership_store import FIELDS, Membership, MembershipStore
from .store import CHANNELS, SOURCE, UUIDS, Kind, ObjectStore, render, same_fields
from .validation import check_custom, check_text, json_body

if TYPE_CHECKING:
    from ..server import LocalServer

MAX_CHANGES = 100
"""Memberships one PATCH may set and delete together [?: PubNub caps it, its docs
point to the API limits page for the number]."""


@dataclass(frozen=True)
class Side:
    """One direction of the relation: the path names `owner`, the list is of `other`."""

    owner: Kind
    other: Kind
    key: str  # how an item names the other side: "channel" | "uuid"
    owner_key: str

    def pair(self, owner_id: str, other_id: str) -> tuple[str, str]:
        """(channel, uuid) of the membership between the two."""
        return (other_id, owner_id) if self.key == "channel" else (owner_id, other_id)

    def other_id(self, membership: Membership) -> str:
        return membership.channel if self.key == "channel" else membership.uuid

    @property
    def sortable(self) -> dict[str, str]:
        """`sort` names → record paths; bare `id`/`name` (what the Python SDK sends)
        mean the other side's."""
        names = {"updated": "updated", "status": "status", "type": "type",
                 "id": f"{self.key}.id", "name": f"{self.key}.name"}
        for field in ("id", "name", "updated", "status", "type"):
            names[f"{self.key}.{field}"] = f"{self.key}.{field}"
        return names


MEMBERSHIPS = Side(UUIDS, CHANNELS, "channel", "uuid")
MEMBERS = Side(CHANNELS, UUIDS, "uuid", "channel")


@dataclass(frozen=True)
class Stores:
    objects: ObjectStore
    memberships: MembershipStore


def register(server: LocalServer, stores: Stores, add: Callable[..., None]) -> None:
    """Access Manager, as PubNub maps it: a uuid's memberships need `get` (list) or
    `update` (change) on the uuid, and `join` on each channel changed; a channel's
    members need `get` or `manage` on the channel."""
    for side in (MEMBERSHIPS, MEMBERS):
        path = f"/v2/objects/{{sub}}/{side.owner.path}/{{id}}/{side.other.path}"
        add("GET", path, _bound(list_memberships, stores, side),
            needs=need_on(side.owner.path, "id", "get"))
        add("PATCH", path, _bound(change_memberships, stores, side), needs=_write_needs(side))


def _write_needs(side: Side) -> NeedsFn:
    def needs(call: Call) -> list[Need]:
        owner = call.params["id"]
        if side is MEMBERS:
            return [Need("channels", owner, "manage")]
        try:
            document = json_body(call.body)
        except PubNubError:  # the handler answers a bad body; here it names no channel
            document = {}
        channels = [item[side.key]["id"] for name in ("set", "delete")
                    for item in (document.get(name) or []) if _names_other(item, side)]
        return [Need("uuids", owner, "update"),
                *(Need("channels", channel, "join") for channel in dict.fromkeys(channels))]
    return needs


def _names_other(item: Any, side: Side) -> bool:
    return (isinstance(item, dict) and isinstance(item.get(side.key), dict)
            and isinstance(item[side.key].get("id"), str))


def _bound(handler: Callable[[Call, Stores, Side], Awaitable[web.StreamResponse]],
           stores: Stores, side: Side) -> Handler:
    async def handle(call: Call) -> web.StreamResponse:
        return await handler(call, stores, side)
    return handle


def _subkey(call: Call) -> str:
    return call.server.keyset(call.params["sub"]).subkey


def _owner_id(call: Call) -> str:
    owner = call.params["id"]
    if not owner or len(owner) > MAX_UUID:
        raise invalid_data(SOURCE, "id", f"must be 1 to {MAX_UUID} characters", "path")
    return owner


# listing --------------------------------------------------------------------------


async def list_memberships(call: Call, stores: Stores, side: Side) -> web.StreamResponse:
    return _answer(call, stores, side, _owner_id(call))


def _answer(call: Call, stores: Stores, side: Side, owner_id: str) -> web.StreamResponse:
    """One page of the owner's memberships, filtered and sorted over what `record` sees."""
    subkey = _subkey(call)
    include = set(query_words(call, "include"))
    owned = (stores.memberships.of_uuid(subkey, owner_id) if side is MEMBERSHIPS
             else stores.memberships.of_channel(subkey, owner_id))
    owner = stores.objects.get(subkey, side.owner, owner_id)
    owner_record = owner.record if owner is not None else {"id": owner_id}

    def record(membership: Membership) -> dict[str, Any]:
        other_id = side.other_id(membership)
        other = stores.objects.get(subkey, side.other, other_id)
        return {side.key: other.record if other is not None else {"id": other_id},
                side.owner_key: owner_record,
                **{name: membership.fields.get(name) for name in FIELDS},
                "updated": membership.updated_iso, "eTag": membership.etag}

    page, offset, total = paged(call, owned, record, side.sortable, side.other_id)
    body: dict[str, Any] = {
        "status": 200, "data": [_render(stores, subkey, side, m, include) for m in page]}
    if flag(call, "count"):
        body["totalCount"] = total
    return json_response(with_page_links(body, offset, len(page)),
                         content_type="application/json")


def _render(stores: Stores, subkey: str, side: Side, membership: Membership,
            include: set[str]) -> dict[str, Any]:
    other_id = side.other_id(membership)
    nested = {word[len(side.key) + 1:] for word in include if word.startswith(side.key + ".")}
    other = stores.objects.get(subkey, side.other, other_id)
    item: dict[str, Any] = {side.key: {"id": other_id}}
    if other is not None and (side.key in include or nested - {"id"}):
        item[side.key] = render(side.other, other, nested)
    for name in FIELDS:
        if name in include:
            item[name] = membership.fields.get(name)
    item["updated"] = membership.updated_iso
    item["eTag"] = membership.etag
    return item


# changes --------------------------------------------------------------------------


async def change_memberships(call: Call, stores: Stores, side: Side) -> web.StreamResponse:
    """Check every item first, so a refused request changes nothing; then delete, then
    set (an id in both ends up set, afresh). A set that changes nothing keeps its ETag
    and announces nothing, like a metadata set."""
    owner_id = _owner_id(call)
    document = json_body(call.body)
    sets = _items(document, "set", side)
    deletes = [other_id for other_id, _ in _items(document, "delete", side)]
    if len(sets) + len(deletes) > MAX_CHANGES:
        raise invalid_data(SOURCE, "body", f"at most {MAX_CHANGES} memberships may be set "
                                           "and deleted in one request")
    subkey = _subkey(call)
    store = stores.memberships
    if call.server.options.membership_integrity:
        _check_integrity(stores, subkey, side, owner_id, [other for other, _ in sets])
    planned: dict[str, dict[str, Any]] = {}
    for index, (other_id, written) in enumerate(sets):
        current = store.get(subkey, *side.pair(owner_id, other_id))
        base = planned.get(other_id)
        if base is None:
            base = current.fields if current is not None and other_id not in deletes else {}
        fields = planned[other_id] = {**base, **written}
        if json_size({"channel": other_id, "uuid": owner_id, **fields}) > MAX_OBJECT_BYTES:
            raise invalid_data(SOURCE, f"set[{index}]", f"the membership would exceed "
                                                        f"{MAX_OBJECT_BYTES} bytes")
    for other_id in dict.fromkeys(deletes):
        channel, uuid = side.pair(owner_id, other_id)
        if store.get(subkey, channel, uuid) is not None:
            store.delete(subkey, channel, uuid)
            announce_delete(call, channel, uuid)
    for other_id, fields in planned.items():
        channel, uuid = side.pair(owner_id, other_id)
        current = store.get(subkey, channel, uuid)
        if current is not None and same_fields(fields, current.fields):
            continue
        membership = store.write(subkey, channel, uuid, fields, call.server.clock.next())
        _announce(call, membership, "set", {
            **{name: value for name, value in fields.items() if value is not None},
            "updated": membership.updated_iso, "eTag": membership.etag})
    return _answer(call, stores, side, owner_id)


def _items(document: dict[str, Any], name: str, side: Side) -> list[tuple[str, dict[str, Any]]]:
    """(other id, the FIELDS it writes) of each item of `set` or `delete`."""
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_data(SOURCE, name, "must be an array")
    items = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise invalid_data(SOURCE, where, "must be an object")
        ref = item.get(side.key)
        other_id = ref.get("id") if isinstance(ref, dict) else None
        if not isinstance(other_id, str) or not 0 < len(other_id) <= MAX_UUID:
            raise invalid_data(SOURCE, f"{where}.{side.key}.id",
                               f"must be a string of 1 to {MAX_UUID} characters")
        written: dict[str, Any] = {}
        for field in FIELDS if name == "set" else ():
            if field in item:
                (check_custom if field == "custom" else check_text)(
                    item[field], f"{where}.{field}")
                written[field] = item[field]
        items.append((other_id, written))
    return items


def _check_integrity(stores: Stores, subkey: str, side: Side, owner_id: str,
                     others: list[str]) -> None:
    """With referential integrity on, both ends of a new membership must exist [?: the
    400's wording is this server's]."""
    if stores.objects.get(subkey, side.owner, owner_id) is None:
        raise invalid_data(SOURCE, side.owner_key, f"{side.owner.event_type} {owner_id!r} "
                                                   "has no metadata", "path")
    for index, other_id in enumerate(others):
        if stores.objects.get(subkey, side.other, other_id) is None:
            raise invalid_data(SOURCE, f"set[{index}].{side.key}.id",
                               f"{side.other.event_type} {other_id!r} has no metadata")


def remove_all_of(call: Call, store: MembershipStore, kind: Kind, object_id: str) -> None:
    """Delete a deleted channel's or uuid's memberships (referential integrity)."""
    subkey = _subkey(call)
    owned = (store.of_channel(subkey, object_id) if kind is CHANNELS
             else store.of_uuid(subkey, object_id))
    for membership in owned:
        store.delete(subkey, membership.channel, membership.uuid)
        announce_delete(call, membership.channel, membership.uuid)


# events ---------------------------------------------------------------------------


def announce_delete(call: Call, channel: str, uuid: str) -> None:
    _announce(call, Membership(channel, uuid, {}, 0, ""), "delete", {})


def _announce(call: Call, membership: Membership, event: str, data: dict[str, Any]) -> None:
    """An `e:2` membership event on the channel and on the uuid's own channel, which is
    where the Chat SDK listens for a user's memberships (recorded live: `data` names
    both ids; a set adds what the membership holds, `updated` and `eTag`)."""
    server = call.server
    if not server.options.objects_events:
        return
    payload = {"source": SOURCE, "version": "2.0", "event": event, "type": "membership",
               "data": {"channel": {"id": membership.channel},
                        "uuid": {"id": membership.uuid}, **data}}
    keyset = server.keyset(call.params["sub"])
    for channel in dict.fromkeys((membership.channel, membership.uuid)):
        keyset.append(Event(server.clock.next(), channel, payload, event_type=OBJECTS))
