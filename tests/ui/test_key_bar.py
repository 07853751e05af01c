"""Issue 12, item 15: the footer is a key bar; a click on a key does what the key does,
as it did in Textual's footer."""

from __future__ import annotations

from suppgram_tui.ui.screens.help import HelpScreen
from suppgram_tui.ui.widgets.key_bar import KeyBar
from tests.helpers.console_harness import console_app, wait_ready
from tests.helpers.wait import wait_until


async def test_clicking_a_key_in_the_footer_presses_it(local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_ready(app)
        bar = screen.query_one(KeyBar)
        await wait_until(lambda: "f1 Help" in bar.plain())
        start = next(start for start, _, item in bar._spans if item.label == "Help")
        padding = bar.styles.padding.left
        await pilot.click(KeyBar, offset=(padding + start + 1, 0))
        await wait_until(lambda: isinstance(app.screen, HelpScreen))
