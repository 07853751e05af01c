"""Fetch v3 with message actions (reference §6.2): one channel's messages, each with
the actions attached to it, paged back with `more`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from .errors import HISTORY_ERRORS, history_error, json_response
from .history import HISTORY, MAX_MULTI, fetch_item, fetch_window
from .message_actions import COLUMNS
from .request import need_on_each, path_names
from .routing import Call

if TYPE_CHECKING:
    from .server import LocalServer


def register(server: LocalServer) -> None:
    server.router.add("GET", "/v3/history-with-actions/sub-key/{sub}/channel/{channel}",
                      fetch_with_actions, needs=need_on_each("channels", "channel", "read"),
                      feature=HISTORY, errors=HISTORY_ERRORS)


async def fetch_with_actions(call: Call) -> web.StreamResponse:
    """Fetch v3 for one channel, each message with `actions[type][value]` (§6.2)."""
    server = call.server
    channels = path_names(call, "channel")
    if len(channels) != 1:
        raise history_error(400, "Invalid Arguments: exactly one channel with actions")
    channel = channels[0]
    subkey = server.keyset(call.params["sub"]).subkey
    limit, start, end, include = fetch_window(call, MAX_MULTI)
    messages = server.persistence.fetch(subkey, channel, start=start, end=end, limit=limit)
    actions = _actions_by_message(server, subkey, channel, [m.timetoken for m in messages])
    items = []
    for message in messages:
        item = fetch_item(message, include)
        if message.timetoken in actions:
            item["actions"] = actions[message.timetoken]
        items.append(item)
    body: dict[str, Any] = {"status": 200, "error": False, "error_message": "",
                            "channels": {channel: items} if items else {}}
    if messages and server.persistence.fetch(subkey, channel, start=messages[0].timetoken,
                                             end=end, limit=1):
        first = str(messages[0].timetoken)
        url = (f"/v3/history-with-actions/sub-key/{quote(subkey, safe='')}/channel/"
               f"{quote(channel, safe='')}?start={first}&max={limit}")
        if end is not None:
            url += f"&end={end}"
        body["more"] = {"url": url, "start": first, "max": limit}
    return json_response(body)


def _actions_by_message(server: LocalServer, subkey: str, channel: str,
                        timetokens: list[int]) -> dict[int, dict[str, dict[str, list[Any]]]]:
    """`{message_tt: {type: {value: [{uuid, actionTimetoken}]}}}`, oldest action first."""
    found: dict[int, dict[str, dict[str, list[Any]]]] = {}
    if not timetokens:
        return found
    rows = server.persistence.db.execute(
        f"SELECT {COLUMNS} FROM message_actions WHERE subkey = ? AND channel = ? "
        "AND message_tt BETWEEN ? AND ? ORDER BY action_tt",
        (subkey, channel, min(timetokens), max(timetokens))).fetchall()
    wanted = set(timetokens)
    for kind, value, uuid, action_tt, message_tt in rows:
        if message_tt in wanted:
            found.setdefault(message_tt, {}).setdefault(kind, {}).setdefault(value, []).append(
                {"uuid": uuid, "actionTimetoken": str(action_tt)})
    return found
