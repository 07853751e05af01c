"""Issue 13 item 1, as it was found: a converter that raises UnicodeEncodeError on "€"
crashed the whole console (exit status 0) and the reply was lost. The real console
process, on a pty, with that converter on PYTHONPATH; the customer's SDK listens."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import failing_converters as conv
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

from .conftest import STARTUP_TIMEOUT
from .console_view import ConsoleView
from .harness import Terminal, console_command, terminal_env

pytestmark = pytest.mark.terminal


async def test_a_reply_the_converter_cannot_encode_keeps_the_console_and_the_text(
        local_server, tmp_path, customers):
    home = tmp_path / "home"
    data_dir = home / "suppgram"
    data_dir.mkdir(parents=True)
    (home / "ascii_only.py").write_text(textwrap.dedent(conv.ASCII_ONLY), encoding="utf-8")
    dana = await customers("dana", "how much is it?")
    argv = console_command(local_server.origin, data_dir) + [
        "--pubnub-message-converter", "ascii_only.Converter"]
    env = {**terminal_env(home, PUBLISH_KEY, SUBSCRIBE_KEY), "PYTHONPATH": str(home)}
    terminal = Terminal(argv, env=env, columns=120, rows=40, cwd=home)
    terminal.start()
    try:
        view = ConsoleView(terminal, log_path=data_dir / "console.log")
        await view.wait_connected(STARTUP_TIMEOUT)
        await view.wait_until(lambda: "how much is it?" in view.list_text(), 20, "dana listed")
        view.key("enter")
        await view.wait_until(lambda: "how much is it?" in view.transcript_text(), 20,
                              "the conversation open")
        await view.start_reply("I")
        view.type_burst("t is 5 €")
        await view.wait_for_text("The converter cannot encode this reply")  # as typed
        view.key("enter")
        await view.wait_for_text("Not sent: the converter cannot encode")
        assert terminal.process.isalive(), "the console exited"
        assert (await view.composer_lines(30))[0] == "It is 5 €"  # the reply is all there
        view.type_burst(" (EUR)")  # and the console still takes keys
        await view.wait_until(lambda: "It is 5 € (EUR)" in " ".join(view.composer_box()),
                              20, "typing goes on")
        assert dana.replies == []  # the customer's SDK received nothing
        assert terminal.process.isalive()
    finally:
        await terminal.close()
