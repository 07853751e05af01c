"""While the server is down the console says so in words (where, and why), and does not
go on showing other agents as viewing; the status line names the local server's address
with --origin as with --local."""

from __future__ import annotations

from pathlib import Path

from suppgram_tui.model import ConnectionState
from suppgram_tui.ui.widgets.conversation_header import ConversationHeader
from suppgram_tui.ui.widgets.status_line import StatusLine
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import InboxHarness, customer_client, open_conversation
from tests.helpers.server_process import ServerProcess, free_port
from tests.helpers.wait import wait_until


def header_text(screen) -> str:
    return " ".join(part.text for part in screen.query_one(ConversationHeader).parts())


async def test_a_down_server_is_said_in_words_and_others_viewing_is_hidden(tmp_path: Path):
    server = await ServerProcess(tmp_path / "server.sqlite", free_port()).start()
    rita = customer_client(server.origin, "rita")
    bob = await InboxHarness(server.origin, tmp_path / "bob.json", "bob").start()
    try:
        await open_conversation(rita, "rita-support", "hello")
        app = console_app(server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(160, 30)):
            screen = await wait_ready(app)
            status = screen.query_one(StatusLine)
            assert f"LOCAL {server.origin}" in str(status.render())
            await wait_until(lambda: "hello" in transcript_text(app))
            await wait_until(lambda: "rita-support" in bob.inbox.conversations)
            bob.inbox.open("rita-support")
            await wait_until(lambda: "bob is viewing" in header_text(screen))
            await server.kill()
            await wait_until(lambda: status.connection is ConnectionState.RECONNECTING,
                             timeout=30)
            refused = f"cannot reach {server.origin} (connection refused)"
            await wait_until(lambda: status.detail == refused, timeout=15)
            assert "ssl" not in str(status.render())
            await wait_until(lambda: "viewing" not in header_text(screen))
    finally:
        await bob.stop()
        await rita.stop()
        await server.kill()
