"""Keys typed behind a Tab, in one read, go where the Tab moved the focus.

Textual queues every key of one read to the widget focused when the read was parsed:
"abc", Tab, "xyz" in one write reached the reply box whole, so over a slow link the
search words went to the customer. Each test writes the burst as a terminal does and
checks where each part landed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY

from .conftest import STARTUP_TIMEOUT
from .harness import Terminal, ctrl, terminal_env
from .test_simulator import quit_simulator

pytestmark = pytest.mark.terminal


async def test_keys_after_tab_in_the_reply_box_go_to_the_search_box(opened):
    view, (dana,) = await opened("dana")
    await view.start_reply("a")
    view.type_burst("bc\txyz")  # one read: the rest of the reply, Tab, a search
    await view.fence()
    shown = view.composer_box()
    assert shown == ["abc"], f"the composer shows {shown!r}"
    assert "xyz" in view.list_text(), view.terminal.screen_text()


async def test_keys_after_tab_in_the_raw_json_dialog_go_to_the_meta_box(local_server, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    script = Path(sys.executable).with_name("suppgram-tui")
    terminal = Terminal([str(script), "simulate", "--origin", local_server.origin,
                         "--pubnub-user-id", "dana"],
                        env=terminal_env(home, PUBLISH_KEY, SUBSCRIBE_KEY), cwd=home)
    terminal.start()
    try:
        await terminal.wait_until(lambda: "dana · online" in terminal.row(1),
                                  STARTUP_TIMEOUT, "dana online in the chat header")
        terminal.write(ctrl("e"))
        await terminal.wait_for_text("Raw JSON to publish")
        terminal.write(ctrl("u"))  # empty the payload box (Input: delete left)
        terminal.type_burst('{"t": 1}\tM')
        await terminal.wait_until(lambda: "M" in _field(terminal, "meta"), 20,
                                  "M in the meta box")
        screen = terminal.screen_text()
        assert '{"t": 1}' in screen and '{"t": 1}M' not in screen, screen
    finally:
        await quit_simulator(terminal)
        await terminal.close()


def _field(terminal: Terminal, label: str) -> str:
    """The text right of a dialog field's label."""
    for line in terminal.screen_lines():
        if f" {label} " in line:
            return line.split(f" {label} ", 1)[1]
    return ""
