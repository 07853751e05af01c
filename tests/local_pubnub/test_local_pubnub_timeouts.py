"""Header and idle timeouts (issue 11, item 19): slowloris sockets are not kept forever.

Raw sockets on loopback against a server with short timeouts: one trickling a request
line, one sending a body too slowly, one saying nothing, one idle after an answer. Each
is closed within its timeout; a subscribe long-poll held longer than both still answers.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

HEADER, IDLE = 0.5, 1.5


@pytest.fixture
async def server():
    async with LocalPubNub(header_timeout=HEADER, idle_timeout=IDLE, poll_timeout=3.0) as s:
        yield s


async def closed_after(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       trickle: bytes = b"", every: float = 0.1, limit: float = 8.0) -> float:
    """Seconds until the server closes the connection, sending `trickle` a byte at a time."""
    started = time.monotonic()

    async def keep_sending() -> None:
        for byte in trickle:
            await asyncio.sleep(every)
            writer.write(bytes([byte]))
            await writer.drain()

    sender = asyncio.ensure_future(keep_sending())
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), limit)
            except ConnectionResetError:
                break
            if not chunk:
                break
    finally:
        sender.cancel()
        writer.close()
    return time.monotonic() - started


async def test_a_request_line_sent_a_byte_at_a_time_is_cut_off(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /ti")
    took = await closed_after(reader, writer, trickle=b"me/0 HTTP/1.1\r\nHost: x\r\nX-A: " +
                              b"a" * 200)
    assert took < HEADER + 1.0, took  # not the idle timeout, not forever


async def test_a_body_sent_too_slowly_gets_408_and_a_closed_connection(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(f"POST /publish/{PUBLISH_KEY}/{SUBSCRIBE_KEY}/0/ch/0 HTTP/1.1\r\n"
                 "Host: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                 '"'.encode())
    started = time.monotonic()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 408"), head
    assert time.monotonic() - started < HEADER + 1.0
    took = await closed_after(reader, writer, trickle=b"x" * 50)
    assert took < 2.0


async def test_silent_and_idle_connections_are_closed_after_the_idle_timeout(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    took = await closed_after(reader, writer)  # says nothing at all
    assert IDLE - 0.2 < took < IDLE + 1.5, took

    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /time/0 HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200")
    took = await closed_after(reader, writer)  # kept alive, then idle
    assert IDLE - 0.2 < took < IDLE + 1.5, took


async def test_a_long_poll_outlives_both_timeouts(server):
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    path = f"/v2/subscribe/{SUBSCRIBE_KEY}/held/0"
    writer.write(f"GET {path}?tt=0&uuid=u HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    cursor = json.loads(await read_answer(reader))["t"]["t"]
    started = time.monotonic()
    writer.write(f"GET {path}?tt={cursor}&uuid=u HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    body = json.loads(await read_answer(reader, timeout=10))
    assert body["m"] == [] and time.monotonic() - started > 2.5  # held the full 3 s
    writer.close()


async def read_answer(reader: asyncio.StreamReader, timeout: float = 5) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    return await asyncio.wait_for(reader.readexactly(length), timeout)
