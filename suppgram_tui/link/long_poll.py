"""The subscribe long-poll's HTTP: the SDK builds and signs the request, aiohttp sends it.

The SDK's own request path (httpx, a watchdog task, a status and an envelope per
request) costs ~1 ms of CPU a poll on the benchmark machine, against ~0.13 ms for one
GET on a kept-alive aiohttp connection; at a few messages a poll that is most of what
a message costs (bench/RESULTS.md, issue 15). What goes on the wire stays the SDK's:
path, query (uuid, pnsdk, token, signature) and headers; failures read as the SDK's
would (`LinkRequestError` with the same words), and the deadline is kept by the wall
clock too, as SDK 10.8 keeps it, so a poll cut off by a laptop's sleep is noticed.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import urllib.request
from types import SimpleNamespace
from typing import Any

import aiohttp
from pubnub.errors import PNERR_CLIENT_ERROR, PNERR_SERVER_ERROR
from pubnub.exceptions import PubNubException
from yarl import URL

from .errors import LinkRequestError
from .unreachable import Unreachable, unreachable_words

WALL_CLOCK_CHECK = 5.0
"""Seconds between looks at the wall clock while a poll is held open."""


def _tls_context() -> ssl.SSLContext:
    """Certifi's roots, as httpx (the SDK's client) verifies with."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx depends on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class LongPoll:
    """One kept-alive connection for a receiver's polls; `close()` it when done."""

    def __init__(self, pubnub: Any) -> None:
        self._pubnub = pubnub
        self._session: aiohttp.ClientSession | None = None
        self._proxy: str | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            config = self._pubnub.config
            tls = _tls_context() if config.ssl else False
            # trust_env would look up proxies and ~/.netrc in a thread at every poll;
            # the proxy the environment names (as httpx reads it) is looked up once
            self._proxy = _env_proxy(config.scheme(), self._pubnub.base_origin)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=tls),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=config.connect_timeout,
                                              sock_read=config.subscribe_request_timeout))
            if hasattr(self._session, "_retry_connection"):
                # aiohttp silently repeats a GET whose kept-alive connection was cut;
                # the SDK's httpx does not, and the console says "reconnecting" then
                # (aiohttp's own test client turns it off the same way)
                self._session._retry_connection = False
        return self._session

    async def get(self, request: Any, timeout: float) -> Any:
        """The decoded JSON answer to the SDK endpoint `request`; asyncio.TimeoutError
        once `timeout` seconds have passed on either clock."""
        options = request.options()
        options.merge_params_in({})
        config = self._pubnub.config
        url = URL(f"{config.scheme()}://{self._pubnub.base_origin}{options.path}"
                  f"?{options.query_string}", encoded=True)
        task = asyncio.ensure_future(self._fetch(url))
        deadline = time.time() + timeout
        loop = asyncio.get_running_loop()
        steady_deadline = loop.time() + timeout
        try:
            while True:
                remaining = min(deadline - time.time(), steady_deadline - loop.time())
                if remaining <= 0:
                    raise asyncio.TimeoutError
                done, _ = await asyncio.wait({task}, timeout=min(WALL_CLOCK_CHECK, remaining))
                if done:
                    return task.result()
        finally:
            task.cancel()

    async def _fetch(self, url: URL) -> Any:
        try:
            http = self._http()
            async with http.get(url, headers=self._pubnub.headers,
                                proxy=self._proxy) as response:
                raw = await response.read()
                status = response.status
        except asyncio.TimeoutError:
            raise
        except aiohttp.ClientError as error:
            if (words := unreachable_words(error)) is not None:
                raise Unreachable(_status(None, words), "Subscribe") from None
            raise LinkRequestError(_status(None, str(error) or type(error).__name__),
                                   "Subscribe") from None
        try:
            data: Any = json.loads(raw) if raw else "N/A"
        except ValueError:
            if status == 200:
                raise
            data = raw.decode("utf-8", "replace")
        if status not in (200, 204, 307):
            refusal = PubNubException(errormsg=data, status_code=status,
                                      pn_error=PNERR_SERVER_ERROR if status >= 500
                                      else PNERR_CLIENT_ERROR)
            raise LinkRequestError(_status(status, str(refusal), refusal), "Subscribe")
        return data

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _env_proxy(scheme: str, origin: str) -> str | None:
    """HTTP(S)_PROXY / ALL_PROXY for `origin` unless NO_PROXY exempts it."""
    host = origin.rsplit(":", 1)[0] if origin.count(":") == 1 else origin
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy


def _status(code: int | None, information: str,
            exception: PubNubException | None = None) -> SimpleNamespace:
    """What `LinkRequestError` reads from an SDK status (PubNub's body, in `exception`)."""
    return SimpleNamespace(status_code=code, error_data=SimpleNamespace(
        information=information, exception=exception))
