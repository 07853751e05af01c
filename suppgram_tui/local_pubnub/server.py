"""The server object, its aiohttp application, and how to run it.

`LocalPubNub` starts it in-process on a free port (tests, `--local`); `serve` runs it
in the foreground for `suppgram-tui serve`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

from . import (
    channel_groups,
    files,
    history,
    history_with_actions,
    message_actions,
    publish,
    subscribe,
)
from .access import grants
from .access.policy import AccessPolicy, OpenAccess
from .clock import TimetokenClock
from .connection_guard import HeadDeadline, guard_of
from .errors import PubNubError, json_response
from .events import FILE, Event
from .keyset import Keyset, Subscription
from .limits import check_request
from .objects import handlers as objects
from .options import ServerOptions
from .persistence import Persistence
from .presence import handlers as presence
from .request import Query
from .routing import Call, Router

log = logging.getLogger("suppgram_tui.local_pubnub")

MAX_REQUEST_LINE = 1024 * 1024
"""Longest request line accepted: GET publishes carry the message (reference §2.1)."""

SERVICES = (publish, subscribe, channel_groups, history, presence, objects, message_actions,
            history_with_actions, files, grants)
"""Each module's `register(server)` adds its routes (an add-on's name their `Feature`)."""

SubscribeObserver = Callable[[Call, Keyset, Subscription], Coroutine[Any, Any, None]]


class LocalServer:
    """All state of one running server: clock, storage, keysets, routes, access policy."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.persistence = Persistence(options.data_path)
        self.clock = TimetokenClock(self.persistence.load_clock(),
                                    now=options.timetoken_source)
        self.keysets: dict[str, Keyset] = {}
        self.router = Router()
        self.access: AccessPolicy = OpenAccess()
        self.subscribe_observers: list[SubscribeObserver] = []
        self.background_jobs: list[Callable[[], Coroutine[Any, Any, None]]] = []
        """Coroutines run while the server runs (presence timeouts); cancelled at stop."""
        self.files: files.FileService
        """Uploaded files and the key signing their URLs (set by `files.register`)."""
        self.request_count = 0
        self.closing = False
        """Set at stop: parked polls answer at once instead of holding shutdown."""
        for service in SERVICES:
            service.register(self)
        self.router.add("GET", "/time/0", _time, open_access=True)
        self._restore()

    def _restore(self) -> None:
        """Reload groups and refill the subscribe log so old cursors resume after a restart."""
        for subkey, groups in self.persistence.load_groups().items():
            for group, channels in groups.items():
                self.keyset(subkey).add_to_group(group, channels)
        since = self.clock.last_issued - 20 * 60 * 10_000_000
        for subkey, message in self.persistence.recent(since):
            self.keyset(subkey).append(Event(
                message.timetoken, message.channel, message.payload, message.publisher,
                message.meta, message.custom_type,
                FILE if message.message_type == FILE else None))

    def keyset(self, subkey: str) -> Keyset:
        keyset = self.keysets.get(subkey)
        if keyset is None:
            keyset = self.keysets[subkey] = Keyset(subkey)
        return keyset

    async def observe_subscribe(self, call: Call, keyset: Keyset,
                                subscription: Subscription) -> None:
        """Let services that care (presence) see every subscribe poll."""
        for observer in self.subscribe_observers:
            await observer(call, keyset, subscription)

    def close(self) -> None:
        try:
            self.persistence.close(self.clock.last_issued)
        except sqlite3.Error as error:  # the clock is also past every stored message
            log.error("could not save the clock at stop: %s", error)

    # request handling --------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=files.MAX_FILE_BYTES + 64 * 1024)  # a file upload
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Route by raw path, check access, run the handler; errors become PubNub bodies."""
        guard = guard_of(request.transport)
        if guard is not None:
            guard.head_arrived()
        try:
            response = await self._handle(request)
            if self.closing:  # a kept-alive client polling in a loop must not hold stop()
                response.force_close()
            return response
        finally:
            if guard is not None:
                guard.request_done()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.request_count += 1
        raw_path = request.rel_url.raw_path
        found = self.router.resolve(request.method, raw_path)
        if found is None:
            return self._not_found(request.method, raw_path)
        route, params, raw_params = found
        feature = route.feature
        if feature is not None and feature.key in self.options.disabled_features:
            return json_response({"status": 403, "error": True, "service": feature.key,
                                  "message": f"{feature.label} is not enabled for "
                                             "this keyset"}, 403)
        try:
            if request.body_exists and not await self._body_in_time(request):
                response = route.errors.error(408, "Request Timeout: the body did not "
                                                   "arrive in time").response()
                response.force_close()
                return response
            body = await request.read() if request.body_exists else b""  # read: cached
            call = Call(request, params, raw_params, self, Query.of(request), body)
            check_request(call, route)
            await self.access.authorize(call, route)
            return await route.handler(call)
        except PubNubError as error:
            return error.response()
        except web.HTTPException as error:  # aiohttp's own: a body over the size limit
            return json_response({"status": error.status, "error": True,
                                  "service": "local-pubnub", "message": error.reason},
                                 error.status)
        except asyncio.CancelledError:
            raise
        except sqlite3.Error as error:  # a full disk, a file made read-only, damage
            log.error("storage failed serving %s %s: %s", request.method, _short(raw_path),
                      error)
            return route.errors.error(503, f"Storage unavailable: {error}").response()
        except Exception:
            log.exception("error serving %s %s", request.method, _short(raw_path))
            return json_response({"status": 500, "error": True, "service": "local-pubnub",
                                  "message": "Internal Server Error"}, 500)

    async def _body_in_time(self, request: web.Request) -> bool:
        """Read the body within `header_timeout` (handlers then get it from the cache)."""
        try:
            await asyncio.wait_for(request.read(), self.options.header_timeout)
        except asyncio.TimeoutError:
            return False
        return True

    def _not_found(self, method: str, raw_path: str) -> web.StreamResponse:
        if self.router.allowed_methods(raw_path):
            return json_response({"status": 405, "error": True, "service": "local-pubnub",
                                  "message": f"Method {method} not allowed here"}, 405)
        return json_response({"status": 404, "error": True, "service": "local-pubnub",
                              "message": f"Unknown endpoint: {raw_path[:200]}"}, 404)


def _short(path: str, keep: int = 120) -> str:
    """A request path fit for one log line: a GET publish carries its whole message."""
    return path if len(path) <= keep else f"{path[:keep]}… ({len(path):,} characters)"


async def _time(call: Call) -> web.StreamResponse:
    return json_response([call.server.clock.next()])


class LocalPubNub:
    """A running server, as an async context manager: `async with LocalPubNub() as server`.

    `origin` is what a PubNub client puts in `PNConfiguration.origin` (with `ssl=False`).
    """

    def __init__(self, options: ServerOptions | None = None, **overrides: Any) -> None:
        self.options = options or ServerOptions(**overrides)
        self.server: LocalServer | None = None
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._jobs: list[asyncio.Task[None]] = []
        self.port = 0

    @property
    def origin(self) -> str:
        return f"{self.options.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.origin}"

    async def start(self) -> LocalPubNub:
        self.server = LocalServer(self.options)
        # handler_cancellation: a client that hangs up frees its parked poll at once.
        # auto_decompress off: the SDK labels zlib bodies as gzip (reference §2.1).
        # max_line_size: SDKs publish by GET with the message in the path, so a request
        # line must hold a 32 KiB message (escaped) and reach the 413 check beyond it;
        # aiohttp's default (8190) answers any bigger line with a plain-text 400.
        # keepalive_timeout: a connection with no request is closed (see idle_timeout);
        # each connection's protocol is wrapped in a HeadDeadline (header_timeout).
        self._runner = web.AppRunner(self.server.build_app(), handler_cancellation=True,
                                     shutdown_timeout=2.0,
                                     auto_decompress=False, access_log=None,
                                     max_line_size=MAX_REQUEST_LINE,
                                     keepalive_timeout=self.options.idle_timeout)
        await self._runner.setup()
        protocols = self._runner.server
        assert protocols is not None
        header_timeout = self.options.header_timeout
        try:
            self._listener = await asyncio.get_running_loop().create_server(
                lambda: HeadDeadline(protocols(), header_timeout), self.options.host,
                self.options.port, reuse_address=True)
        except OSError:  # the port is taken: leave nothing behind
            await self.stop()
            raise
        self.port = self._listener.sockets[0].getsockname()[1]
        self._jobs = [asyncio.create_task(job()) for job in self.server.background_jobs]
        return self

    async def stop(self) -> None:
        for job in self._jobs:
            job.cancel()
        await asyncio.gather(*self._jobs, return_exceptions=True)
        self._jobs = []
        if self.server is not None:
            self.server.closing = True
            for keyset in self.server.keysets.values():
                keyset.wake_all()
        if self._listener is not None:
            self._listener.close()  # accept no more; cleanup closes the open ones
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._listener is not None:
            await self._listener.wait_closed()
            self._listener = None
        if self.server is not None:
            self.server.close()
            self.server = None

    async def __aenter__(self) -> LocalPubNub:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def serve(options: ServerOptions, ready: Callable[[LocalPubNub], None]) -> None:
    """Run until cancelled (Ctrl+C), calling `ready` once connections are accepted."""
    server = LocalPubNub(options)
    await server.start()
    try:
        ready(server)
        while True:
            await asyncio.sleep(3600)
    finally:
        started = time.monotonic()
        await server.stop()
        log.info("stopped in %.2fs", time.monotonic() - started)
