"""An agent store that cannot be written or read (issue 11, item 10).

Real files made really unwritable: `chattr +i` (which binds root too; mode bits do not),
or a directory in place of the file. The console says what is wrong in one sentence,
keeps a reply it cannot store in the composer, keeps running, and sends what is
pending once the file can be written again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from suppgram_tui.store import AgentStore, OutboxEntry
from suppgram_tui.ui.widgets.composer import Composer
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, open_conversation
from tests.helpers.wait import wait_until

CHANNEL = "rita-support"
REPLY = {"kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000",
         "text": "waiting since the last start"}


def immutable(path: Path, on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True,
                   capture_output=True)


@pytest.fixture
def freeze(tmp_path):
    """Make a file immutable; skipped where chattr does not bind (or is missing)."""
    frozen: list[Path] = []
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")

    def apply(path: Path) -> None:
        try:
            immutable(path, True)
        except subprocess.CalledProcessError as error:
            pytest.skip(f"chattr +i does not work here: {error.stderr!r}")
        frozen.append(path)
        probe = path.with_name(".probe")
        probe.write_text("x")
        try:
            os.replace(probe, path)
        except PermissionError:
            return  # really unwritable
        pytest.skip("an immutable file can still be replaced here")

    yield apply
    for path in frozen:
        with contextlib.suppress(subprocess.CalledProcessError):
            immutable(path, False)


def squash(text: str) -> str:
    """Without whitespace: what wrapping a line in the pane cannot change."""
    return re.sub(r"\s+", "", text)


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_and_reply(app, pilot, text: str) -> Composer:
    conversations = app.console_screen.conversation_list
    await wait_until(lambda: CHANNEL in conversations.rows)
    conversations.select(CHANNEL)
    await wait_until(lambda: app.console_screen.channel == CHANNEL)
    composer = app.console_screen.query_one(Composer)
    composer.focus()
    await pilot.press(*text, "enter")
    await pilot.pause()
    return composer


async def test_an_immutable_store_says_why_keeps_the_reply_and_sends_once_fixed(
        local_server, tmp_path, freeze, caplog):
    caplog.set_level(logging.INFO)
    store_path = tmp_path / "ann.json"
    with AgentStore(store_path) as store:
        store.outbox_add(OutboxEntry("c1", CHANNEL, REPLY, {"agent": "ann", "client_id": "c1"}))
    customer = customer_client(local_server.origin, "rita")
    await open_conversation(customer, CHANNEL, "hello?")
    freeze(store_path)
    app = console_app(local_server.origin, store_path)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            sentence = f"The agent store {store_path} cannot be written"
            await wait_until(lambda: any(sentence in toast for toast in toasts(app)))
            assert any("chattr -i" in toast for toast in toasts(app))
            # the pending reply says why it waits, and the log says it once
            await wait_until(lambda: squash(f"retrying: {sentence}")
                             in squash(transcript_text(app)))
            logged = [r.getMessage() for r in caplog.records if sentence in r.getMessage()]
            assert logged and len(logged) <= 3
            outbox_task = app.console_screen.inbox._replies.outbox._task
            assert outbox_task is not None and not outbox_task.done()

            # a new reply cannot be stored: it stays in the composer, the console runs
            composer = await open_and_reply(app, pilot, "are you there")
            assert composer.text == "are you there"
            await wait_until(lambda: sum(sentence in toast for toast in toasts(app)) >= 2)
            assert app.is_running
            assert "are you there" not in transcript_text(app)

            # fixed: the pending reply goes out, and the kept one can be sent
            immutable(store_path, False)
            inbox = app.console_screen.inbox
            await wait_until(lambda: inbox.status().pending_replies == 0, timeout=30)
            await pilot.press("enter")
            await wait_until(lambda: "are you there" in transcript_text(app))
            await wait_until(lambda: inbox.status().pending_replies == 0, timeout=15)
            assert composer.text == ""
        history = await customer.fetch_messages().channels([CHANNEL]).future()
        texts = [item.message["text"] for item in history.result.channels[CHANNEL]]
        assert texts == ["hello?", REPLY["text"], "are you there"]
    finally:
        await customer.stop()


async def test_a_store_made_immutable_while_running_keeps_the_console_up(
        local_server, tmp_path, freeze):
    store_path = tmp_path / "ann.json"
    customer = customer_client(local_server.origin, "rita")
    await open_conversation(customer, CHANNEL, "hello?")
    app = console_app(local_server.origin, store_path)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: store_path.exists())
            freeze(store_path)
            # the very first reply after the file went unwritable is kept, not queued
            composer = await open_and_reply(app, pilot, "first")
            sentence = f"The agent store {store_path} cannot be written"
            await wait_until(lambda: any(sentence in toast for toast in toasts(app)))
            await wait_until(lambda: composer.text == "first")
            assert "first" not in transcript_text(app)
            assert app.console_screen.inbox.status().pending_replies == 0
            composer.load_text("")
            composer = await open_and_reply(app, pilot, "second")
            await wait_until(lambda: sum(sentence in toast for toast in toasts(app)) >= 2)
            assert composer.text == "second"
            assert app.is_running
        # the app closed without a traceback (run_test re-raises one)
    finally:
        await customer.stop()


async def test_a_directory_in_place_of_the_store_is_named_and_the_console_works(
        local_server, tmp_path):
    store_path = tmp_path / "ann.json"
    store_path.mkdir()
    customer = customer_client(local_server.origin, "rita")
    await open_conversation(customer, CHANNEL, "hello?")
    app = console_app(local_server.origin, store_path)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: any(
                f"The agent store {store_path} is a directory, not a file" in toast
                for toast in toasts(app)))
            assert not any("Could not connect" in toast for toast in toasts(app))
            assert not any("Errno" in toast for toast in toasts(app))
            await open_and_reply(app, pilot, "it still works")
            await wait_until(lambda: app.console_screen.inbox.status().pending_replies == 0)
        assert store_path.is_dir()
    finally:
        await customer.stop()
