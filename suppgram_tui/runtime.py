"""Starts and stops what one console runs on, in order: the optional local server, the
store, the converter, the link and the inbox, all from one `Settings`.

Headless, so the UI, the simulator, tests and benchmarks start a console the same way.
What an agent should read about the start (a taken port, a damaged store) reaches the
listeners as an inbox `Notice`, beside everything the inbox itself reports.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from suppgram_tui.converters import ConverterLike, load_converter
from suppgram_tui.inbox import Inbox, InboxEvent, Notice
from suppgram_tui.link.client import PubNubLink
from suppgram_tui.link.errors import KeysRejected
from suppgram_tui.link.events import LinkEvent
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.settings import Settings
from suppgram_tui.store import AgentStore, StoreCorrupt, StoreError, StoreInaccessible

if TYPE_CHECKING:
    from suppgram_tui.local_pubnub import LocalPubNub

log = logging.getLogger(__name__)

__all__ = ["ConsoleRuntime", "KeysRejected", "start_local_server"]


async def start_local_server(settings: Settings, notice: Callable[[str], None]
                             ) -> tuple[LocalPubNub, LinkSettings]:
    """Start the in-process server `settings.local` describes, on its port so other
    clients can find it, or on a free one (told through `notice`) if that is taken.
    Returns the server and the link settings pointed at it."""
    from suppgram_tui.local_pubnub import LocalPubNub

    options = settings.local
    if options is None:
        raise ValueError("these settings ask for no local server")
    try:
        server = await LocalPubNub(options).start()
    except OSError:
        if not options.port:
            raise
        server = await LocalPubNub(replace(options, port=0)).start()
        notice(f"Port {options.port} is taken; the local server listens on "
               f"{server.origin} instead.")
    return server, replace(settings.pubnub, origin=server.origin, ssl=False, local=True)


class ConsoleRuntime:
    """Everything one agent's console runs on. `start()` gives the inbox; `listen()`
    before it to hear every event from the first."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        """As started: with `local`, `pubnub` points at the running server."""
        self.server: LocalPubNub | None = None
        self.store: AgentStore | None = None
        self.inbox: Inbox | None = None
        self.converter: ConverterLike | None = None
        self.link: PubNubLink | None = None
        """The inbox's link (benchmarks count its requests)."""
        self._listeners: list[Callable[[InboxEvent], None]] = []
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None

    def listen(self, listener: Callable[[InboxEvent], None]) -> None:
        """Hear the inbox's events and the runtime's own notices."""
        self._listeners.append(listener)
        if self.inbox is not None:
            self.inbox.listen(listener)

    def check(self) -> ConverterLike:
        """Fail early, in words, on a wrong converter path (before any screen is drawn)."""
        self.converter = load_converter(self.settings.agent.converter_path)
        return self.converter

    async def start(self) -> Inbox:
        """Start the local server if asked, open store and converter, connect the inbox."""
        for note in self.settings.notes:
            self._notice(note)
        if self.settings.local is not None:
            self.server, link = await start_local_server(self.settings, self._notice)
            self.settings = replace(self.settings, pubnub=link)
        converter = self.converter or self.check()
        store, problem = await asyncio.to_thread(self._open_store)  # reads, and may write
        self.store = store
        if problem:
            self._notice(problem)
        self.inbox = Inbox(self._make_link, converter=converter, store=store,
                           agent_name=self.settings.agent.name,
                           support_user=self.settings.pubnub.user_id,
                           clock=self.settings.clock,
                           announce=self.settings.ui.presence_signals,
                           ignored_publishers=self.settings.agent.ignored_publishers)
        for listener in self._listeners:
            self.inbox.listen(listener)
        await self.inbox.start()
        return self.inbox

    async def stop(self) -> None:
        """Stop in reverse order; safe to call after a failed or no start."""
        if self.inbox is not None:
            try:
                await self.inbox.stop()
            except StoreError as error:  # its last write; said when writes first failed
                log.warning("stopping: %s", error)
            finally:
                self.inbox = None
        if self.store is not None:
            try:
                await self.store.aclose()
            except StoreError as error:
                log.warning("closing: %s", error)
            self.store = None
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self._temp_dir is not None:
            self._temp_dir.cleanup()
            self._temp_dir = None

    def _make_link(self, on_event: Callable[[LinkEvent], None]) -> PubNubLink:
        self.link = PubNubLink(self.settings.pubnub, on_event)
        return self.link

    def _open_store(self) -> tuple[AgentStore, str | None]:
        """In a worker thread: the store, and what the agent should know about it.

        A file that cannot be read at all (a directory in its place) gives way to a
        temporary store; one that cannot be written is kept, and said so at once.
        """
        path = self.settings.agent.store_path
        if path is None:
            return self._temporary_store(), None
        try:
            store = AgentStore(path)
        except StoreCorrupt as error:
            return AgentStore(path), f"{error} Starting with an empty store."
        except StoreInaccessible as error:
            return self._temporary_store(), (
                f"{error} Until then this console keeps drafts, read markers and unsent "
                "replies in a temporary store, lost when it exits.")
        problem = store.check_writable()
        return store, problem and f"{problem} Until then replies stay in the composer."

    def _temporary_store(self) -> AgentStore:
        self._temp_dir = tempfile.TemporaryDirectory(prefix="suppgram-tui-")
        return AgentStore(Path(self._temp_dir.name) / "agent-store.json")

    def _notice(self, text: str) -> None:
        log.warning("%s", text)
        for listener in list(self._listeners):
            try:
                listener(Notice(text, "warning"))
            except Exception:
                log.exception("runtime listener failed on a notice")
