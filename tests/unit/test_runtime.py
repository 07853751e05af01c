"""The runtime starts a whole console headless from one `Settings`, and stops it again."""

from __future__ import annotations

from pathlib import Path

from suppgram_tui.inbox import ConnectionStatus, InboxEvent, Notice
from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions
from suppgram_tui.model import ConnectionState
from suppgram_tui.runtime import ConsoleRuntime, start_local_server
from suppgram_tui.settings import AgentSettings, Settings, link_settings_for
from suppgram_tui.store import AgentStore


def local_settings(port: int, store_path: Path | None = None) -> Settings:
    return Settings(pubnub=link_settings_for(local=True, env={}),
                    agent=AgentSettings(name="ann", store_path=store_path),
                    local=ServerOptions(port=port, poll_timeout=2))


async def test_a_taken_port_moves_the_local_server_and_says_so() -> None:
    async with LocalPubNub() as squatter:
        said: list[str] = []
        server, link = await start_local_server(local_settings(squatter.port), said.append)
        try:
            assert server.port != squatter.port and link.origin == server.origin
            assert (link.ssl, link.local) == (False, True)
            assert said == [f"Port {squatter.port} is taken; the local server listens on "
                            f"{server.origin} instead."]
        finally:
            await server.stop()


async def test_the_runtime_reports_its_notices_with_the_inboxs_events(tmp_path: Path) -> None:
    store_path = tmp_path / "ann.json"
    store_path.write_text("{not json")
    async with LocalPubNub() as squatter:
        runtime = ConsoleRuntime(local_settings(squatter.port, store_path))
        heard: list[InboxEvent] = []
        runtime.listen(heard.append)
        try:
            inbox = await runtime.start()
            assert runtime.server is not None and runtime.server.port != squatter.port
            assert runtime.settings.pubnub.origin == runtime.server.origin
            notices = [event.text for event in heard if isinstance(event, Notice)]
            assert notices[0].startswith(f"Port {squatter.port} is taken")
            assert "is damaged" in notices[1] and "Starting with an empty store" in notices[1]
            assert inbox.connection is ConnectionState.CONNECTED and runtime.store is not None
            assert any(isinstance(event, ConnectionStatus) for event in heard)
            runtime.store.set_draft("support.c1", "kept")
        finally:
            await runtime.stop()
    assert runtime.inbox is None and runtime.store is None and runtime.server is None
    with AgentStore(store_path) as reopened:  # closed, unlocked and written
        assert reopened.draft("support.c1") == "kept"


async def test_a_store_that_cannot_be_opened_is_said_and_the_console_runs(tmp_path: Path
                                                                          ) -> None:
    """A directory where the store file should be (issue 11, item 10): one sentence naming
    the path, and the console starts on a temporary store instead of failing to connect."""
    store_path = tmp_path / "ann.json"
    store_path.mkdir()
    runtime = ConsoleRuntime(local_settings(0, store_path))
    heard: list[InboxEvent] = []
    runtime.listen(heard.append)
    try:
        inbox = await runtime.start()
        assert inbox.connection is ConnectionState.CONNECTED
        notices = [event.text for event in heard if isinstance(event, Notice)]
        assert any(str(store_path) in text and "is a directory" in text
                   and "temporary store" in text for text in notices), notices
        assert runtime.store is not None and runtime.store.path != store_path
    finally:
        await runtime.stop()
    assert store_path.is_dir()  # what was there is left as it was
