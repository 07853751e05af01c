"""Delete from history: PubNub's window whichever bound is larger (issue 14 item 2).

PubNub documents that the message at `end` is deleted and the one at `start` kept, in
either order, and that equal bounds delete nothing. The Chat SDK's hard delete sends
`start=T-1&end=T`; before the fix it deleted nothing and answered success.
"""

from __future__ import annotations

import pytest


async def _three(client, channel: str) -> list[int]:
    timetokens = []
    for i in range(3):
        result = await client.publish().channel(channel).message({"n": i}).future()
        timetokens.append(int(result.result.timetoken))
    return timetokens


async def _left(client, channel: str) -> list[int]:
    result = await client.fetch_messages().channels([channel]).future()
    return [item.message["n"] for item in result.result.channels.get(channel, [])]


@pytest.mark.parametrize(("bounds", "kept"), [
    (lambda t: (t[1] - 1, t[1]), [0, 2]),        # the Chat SDK's single-message delete
    (lambda t: (t[1] + 1, t[1]), [0, 2]),        # the documented single-message delete
    (lambda t: (t[0], t[2]), [0]),               # start < end: end deleted, start kept
    (lambda t: (t[2], t[0]), [2]),               # start > end: end deleted, start kept
    (lambda t: (t[1], t[1]), [0, 1, 2]),         # equal bounds: nothing
])
async def test_delete_window_matches_pubnub(make_client, bounds, kept):
    client = make_client("cust-del")
    timetokens = await _three(client, "del")
    start, end = bounds(timetokens)
    result = await client.delete_messages().channel("del").start(start).end(end).future()
    assert not result.status.is_error()
    assert await _left(client, "del") == kept


async def test_delete_with_one_bound_or_none(make_client):
    client = make_client("cust-del")
    timetokens = await _three(client, "one")
    await client.delete_messages().channel("one").start(timetokens[1]).future()
    assert await _left(client, "one") == [1, 2]  # before start, start itself kept
    await client.delete_messages().channel("one").end(timetokens[2]).future()
    assert await _left(client, "one") == [1]  # from end on, end included
    await client.delete_messages().channel("one").future()
    assert await _left(client, "one") == []
