"""A loopback TCP forwarder that can cut the connections through it, as a network would."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

SUBSCRIBE_PATH = b" /v2/subscribe/"


@dataclass(eq=False)
class _Connection:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    request_line: bytes = b""
    """The last request line the client sent on this (keep-alive) connection."""
    pending: bytearray = field(default_factory=bytearray)

    @property
    def polling(self) -> bool:
        return SUBSCRIBE_PATH in self.request_line

    def abort(self) -> None:
        """Reset both sides at once: no FIN, no response, as when a link dies."""
        for writer in (self.client, self.upstream):
            writer.transport.abort()


class TcpProxy:
    """Listens on 127.0.0.1, forwards every byte to `target`, and cuts on demand.

    `cut()` resets every open connection. `lose_next_poll_response()` makes the next
    subscribe response that carries messages vanish with its connection: the server
    has answered, the client never hears it.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.connections: set[_Connection] = set()
        self.cuts = 0
        self.lost_responses = 0
        self._lose_poll_response = False
        self.offline = False
        """While True every new connection is reset at once, as with no network."""
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self.cut()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

    def cut(self) -> int:
        """Reset every connection through the proxy; returns how many there were."""
        cut = list(self.connections)
        for connection in cut:
            connection.abort()
        self.connections.clear()
        self.cuts += len(cut)
        return len(cut)

    def go_offline(self) -> None:
        """Cut everything and refuse what comes next, until `offline` is False again."""
        self.offline = True
        self.cut()

    def lose_next_poll_response(self) -> None:
        self._lose_poll_response = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.offline:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        connection = _Connection(writer, up_writer)
        if self.offline:  # went offline while this one was being connected
            connection.abort()
            return
        self.connections.add(connection)
        for pump in (self._to_server(reader, connection), self._to_client(up_reader, connection)):
            task = asyncio.ensure_future(pump)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _to_server(self, reader: asyncio.StreamReader, connection: _Connection) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await reader.read(65536):
                if chunk[:4] in (b"GET ", b"POST", b"PATC", b"DELE", b"PUT "):
                    connection.request_line = chunk.split(b"\r\n", 1)[0]
                connection.upstream.write(chunk)
                await connection.upstream.drain()
        self._close(connection)

    async def _to_client(self, reader: asyncio.StreamReader, connection: _Connection) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await reader.read(65536):
                if self._lose_poll_response and connection.polling:
                    connection.pending += chunk
                    if b'"m":[{' in connection.pending:  # an answer with messages in it
                        self._lose_poll_response = False
                        self.lost_responses += 1
                        self.connections.discard(connection)
                        connection.abort()
                        return
                    if b'"m":[]' not in connection.pending:
                        continue  # not the whole body yet
                    chunk, connection.pending = bytes(connection.pending), bytearray()
                connection.client.write(chunk)
                await connection.client.drain()
        self._close(connection)

    def _close(self, connection: _Connection) -> None:
        if connection in self.connections:
            self.connections.discard(connection)
            for writer in (connection.client, connection.upstream):
                writer.close()
