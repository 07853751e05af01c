"""Sending a file (F10) in a conversation only looked at opens it, as writing a reply
does: its unread badge goes."""

from __future__ import annotations

from suppgram_tui.ui.screens.prompt import PromptScreen
from tests.helpers.console_harness import transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_payload
from tests.helpers.wait import wait_until

from .test_attachments import CHANNEL, console, customer, toasts  # noqa: F401


async def test_sending_a_file_in_a_previewed_conversation_reads_it(
        local_server, tmp_path, customer):  # noqa: F811
    await customer.publish().channel(CHANNEL).message(customer_payload("the form?")).future()
    (tmp_path / "form.txt").write_bytes(b"the form")
    app = console(local_server, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        await wait_until(lambda: "the form?" in transcript_text(app))  # shown, not opened
        rita = screen.inbox.conversations[CHANNEL]
        assert rita.unread and not screen.opened
        await pilot.press("f10")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        prompt.query_one("Input").value = str(tmp_path / "form.txt")
        await pilot.press("enter")
        await wait_until(lambda: any(f"Sent form.txt to {CHANNEL}" in t for t in toasts(app)))
        assert rita.unread == 0 and screen.opened
