"""Message actions: add, list, remove, and their events (reference §8).

Read receipts and reactions ride on these, attached to a stored message by its
timetoken. Actions live in SQLite beside history, so `--data` keeps them;
`history_with_actions` reads them back with the messages.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from . import json_input
from .errors import invalid_data, json_response, nested_bad_param, nested_error, nested_errors
from .events import MESSAGE_ACTION, Event
from .limits import MAX_ACTION_BYTES
from .persistence import window
from .request import caller_uuid, limit_param, need_on_each, timetoken, timetoken_param
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer

SOURCE = "actions"
MAX_LIMIT = 100
BAD_QUERY, BAD_PATH = nested_bad_param(SOURCE), nested_bad_param(SOURCE, "path")

SCHEMA = """
CREATE TABLE IF NOT EXISTS message_actions (
    subkey TEXT NOT NULL,
    channel TEXT NOT NULL,
    action_tt INTEGER NOT NULL,
    message_tt INTEGER NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    uuid TEXT NOT NULL,
    PRIMARY KEY (subkey, channel, action_tt)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_actions_by_message
    ON message_actions (subkey, channel, message_tt);
"""
COLUMNS = "type, value, uuid, action_tt, message_tt"


def register(server: LocalServer) -> None:
    server.persistence.db.executescript(SCHEMA)
    router = partial(server.router.add, errors=nested_errors(SOURCE))
    base = "/v1/message-actions/{sub}/channel/{channel}"
    read = need_on_each("channels", "channel", "read")
    router("POST", base + "/message/{message}", add_action,
           needs=need_on_each("channels", "channel", "write"))
    router("GET", base, get_actions, needs=read)
    router("DELETE", base + "/message/{message}/action/{action}", remove_action,
           needs=need_on_each("channels", "channel", "delete"))


def _action(row: tuple[Any, ...]) -> dict[str, str]:
    """The wire shape of one action; timetokens are strings (§0.4)."""
    kind, value, uuid, action_tt, message_tt = row
    return {"type": kind, "value": value, "uuid": uuid, "actionTimetoken": str(action_tt),
            "messageTimetoken": str(message_tt)}


def _timetoken(call: Call, name: str) -> int:
    """`message` or `action`, a timetoken in the path."""
    return timetoken(call.params[name], f"{name}Timetoken", BAD_PATH)


async def add_action(call: Call) -> web.StreamResponse:
    """Attach `{type, value}` to a stored message; 400 if there is no such message [?]."""
    server = call.server
    channel, message_tt = call.params["channel"], _timetoken(call, "message")
    kind, value = _action_body(await call.request.read())
    subkey = server.keyset(call.params["sub"]).subkey
    if not server.persistence.fetch(subkey, channel, start=message_tt + 1, end=message_tt,
                                    limit=1):
        raise invalid_data(SOURCE, "messageTimetoken", "no stored message has this timetoken "
                           "in this channel", "path")
    uuid = caller_uuid(call)
    db = server.persistence.db
    if db.execute("SELECT 1 FROM message_actions WHERE subkey = ? AND channel = ? AND "
                  "message_tt = ? AND type = ? AND value = ? AND uuid = ?",
                  (subkey, channel, message_tt, kind, value, uuid)).fetchone():
        raise nested_error(409, "Action Already Added", SOURCE)
    action_tt = server.clock.next()
    db.execute(f"INSERT INTO message_actions (subkey, channel, {COLUMNS}) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (subkey, channel, kind, value, uuid, action_tt, message_tt))
    action = _action((kind, value, uuid, action_tt, message_tt))
    _announce(call, channel, action_tt, "added", action)
    return json_response({"status": 200, "data": action})


def _action_body(body: bytes) -> tuple[str, str]:
    """`type` and `value`, which PubNub bounds only by the request size (limits.py)."""
    if len(body) > MAX_ACTION_BYTES:
        raise nested_error(413, "Request payload is too large.", SOURCE)
    try:
        document = json_input.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise nested_error(415, "Request body must be JSON.", SOURCE) from None
    if not isinstance(document, dict):
        raise invalid_data(SOURCE, "body", "must be a JSON object")
    for name in ("type", "value"):
        if not isinstance(document.get(name), str) or not document[name]:
            raise invalid_data(SOURCE, name, "must be a non-empty string")
    return document["type"], document["value"]


async def remove_action(call: Call) -> web.StreamResponse:
    """Removing an action that is not there is a 200 with no event."""
    server = call.server
    channel = call.params["channel"]
    message_tt, action_tt = _timetoken(call, "message"), _timetoken(call, "action")
    subkey = server.keyset(call.params["sub"]).subkey
    where = ("WHERE subkey = ? AND channel = ? AND action_tt = ? AND message_tt = ?",
             (subkey, channel, action_tt, message_tt))
    row = server.persistence.db.execute(f"SELECT {COLUMNS} FROM message_actions {where[0]}",
                                        where[1]).fetchone()
    if row is not None:
        server.persistence.db.execute(f"DELETE FROM message_actions {where[0]}", where[1])
        _announce(call, channel, server.clock.next(), "removed", _action(row))
    return json_response({"status": 200, "data": {}})


def _announce(call: Call, channel: str, timetoken: int, event: str,
              action: dict[str, str]) -> None:
    """The `e:3` event; `i` is who acted, so `data` leaves `uuid` out (§4.4)."""
    data = {key: action[key] for key in ("type", "value", "messageTimetoken",
                                         "actionTimetoken")}
    payload = {"source": SOURCE, "version": "1.0", "event": event, "data": data}
    call.server.keyset(call.params["sub"]).append(
        Event(timetoken, channel, payload, caller_uuid(call) or None,
              event_type=MESSAGE_ACTION))


async def get_actions(call: Call) -> web.StreamResponse:
    """The newest `limit` actions with `end <= tt < start`, oldest first; `more` pages back."""
    server = call.server
    channel = call.params["channel"]
    subkey = server.keyset(call.params["sub"]).subkey
    start, end = timetoken_param(call, "start", BAD_QUERY), timetoken_param(call, "end", BAD_QUERY)
    limit = limit_param(call, "limit", BAD_QUERY, minimum=1, maximum=MAX_LIMIT)
    clauses, args = window(subkey, channel, start, end, column="action_tt")
    rows = server.persistence.db.execute(
        f"SELECT {COLUMNS} FROM message_actions WHERE {' AND '.join(clauses)} "
        "ORDER BY action_tt DESC LIMIT ?", (*args, limit + 1)).fetchall()
    truncated = len(rows) > limit
    actions = [_action(row) for row in reversed(rows[:limit])]
    body: dict[str, Any] = {"status": 200, "data": actions}
    if truncated:
        oldest = actions[0]["actionTimetoken"]
        url = (f"/v1/message-actions/{quote(subkey, safe='')}/channel/"
               f"{quote(channel, safe='')}?start={oldest}&limit={limit}")
        more: dict[str, Any] = {"url": url, "start": oldest}
        if end is not None:
            more["url"] += f"&end={end}"
            more["end"] = str(end)
        more["limit"] = limit
        body["more"] = more
    return json_response(body)
