"""Wires one console's services: local server (optional), store, converter, link, inbox.

Headless, so the UI, the simulator and the benchmarks start a console the same way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from suppgram_tui.converters import ConverterLike, load_converter
from suppgram_tui.inbox import Inbox, InboxEvent
from suppgram_tui.link.client import PubNubLink
from suppgram_tui.link.events import LinkEvent
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions
from suppgram_tui.store import AgentStore, StoreCorrupt


class ConsoleSession:
    """Starts and stops everything one agent's console runs on, in order."""

    def __init__(self, link: LinkSettings, *, agent_name: str, converter_path: str,
                 store_path: Path | None, local_server: bool = False,
                 local_data_path: Path | None = None, local_poll_timeout: float = 280.0,
                 local_port: int = 0, local_options: dict[str, Any] | None = None,
                 listener: Callable[[InboxEvent], None] | None = None,
                 clock: Callable[[], datetime] | None = None, announce: bool = True) -> None:
        self.settings = link
        self.agent_name = agent_name
        self.converter_path = converter_path
        self.store_path = store_path
        self.local_server = local_server
        self.local_data_path = local_data_path
        self.local_poll_timeout = local_poll_timeout
        self.local_port = local_port
        self.local_options = local_options or {}
        self.listener = listener
        self.clock = clock
        self.announce = announce
        self.server: LocalPubNub | None = None
        self.store: AgentStore | None = None
        self.inbox: Inbox | None = None
        self.converter: ConverterLike | None = None
        self.link: PubNubLink | None = None
        """The inbox's link (benchmarks count its requests)."""
        self.notices: list[str] = []
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None

    def check(self) -> None:
        """Fail early, in words, on a wrong converter path (before any screen is drawn)."""
        self.converter = load_converter(self.converter_path)

    def _open_store(self) -> AgentStore:
        path = self.store_path
        if path is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="suppgram-tui-")
            path = Path(self._temp_dir.name) / "agent-store.json"
        try:
            return AgentStore(path)
        except StoreCorrupt as error:
            self.notices.append(f"{error} Starting with an empty store.")
            return AgentStore(path)

    def _make_link(self, on_event: Callable[[LinkEvent], None]) -> PubNubLink:
        self.link = PubNubLink(self.settings, on_event)
        return self.link

    async def start(self) -> Inbox:
        """Start the local server if asked, open store and converter, connect the inbox."""
        if self.local_server:
            self.server = await self._start_local_server()
            self.settings = replace(self.settings, origin=self.server.origin, ssl=False,
                                    local=True)
        if self.converter is None:
            self.check()
        assert self.converter is not None
        self.store = self._open_store()
        self.inbox = Inbox(self._make_link, converter=self.converter, store=self.store,
                           agent_name=self.agent_name, support_user=self.settings.user_id,
                           announce=self.announce,
                           **({"clock": self.clock} if self.clock else {}))
        if self.listener is not None:
            self.inbox.listen(self.listener)
        await self.inbox.start()
        return self.inbox

    async def _start_local_server(self) -> LocalPubNub:
        """On the asked port, so other clients can find it; any free port if it is taken."""
        options = ServerOptions(
            port=self.local_port, poll_timeout=self.local_poll_timeout,
            data_path=str(self.local_data_path) if self.local_data_path else None,
            **self.local_options)
        try:
            return await LocalPubNub(options).start()
        except OSError:
            if not self.local_port:
                raise
            server = await LocalPubNub(replace(options, port=0)).start()
            self.notices.append(f"Port {self.local_port} is taken; the local server listens "
                                f"on {server.origin} instead.")
            return server

    async def stop(self) -> None:
        if self.inbox is not None:
            try:
                await self.inbox.stop()
            finally:
                self.inbox = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None
