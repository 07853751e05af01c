"""F1's help and F7's footer name F7 and its keys as README does (←/→, not p/n)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from suppgram_tui.ui.screens.help import HelpScreen
from suppgram_tui.ui.screens.payload import PayloadScreen
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, open_conversation
from tests.helpers.wait import wait_until


async def test_help_lists_f7_and_its_footer_says_left_and_right(local_server, tmp_path):
    dana = customer_client(local_server.origin, "dana")
    try:
        await open_conversation(dana, "dana-support", "hello")
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: "hello" in transcript_text(app))
            await pilot.press("f1")
            await wait_until(lambda: isinstance(app.screen, HelpScreen))
            assert isinstance(app.screen, HelpScreen)
            rows = [row for _, section in app.screen.sections for row in section]
            inspect = [words for keys, words in rows if keys == "F7"]
            assert inspect and "←/→" in inspect[0], rows
            await pilot.press("f1")
            await pilot.press("f7")
            await wait_until(lambda: isinstance(app.screen, PayloadScreen))
            await wait_until(lambda: len(app.screen.query(FooterKey)) >= 3)
            keys = [(key.key_display, key.description)
                    for key in app.screen.query(FooterKey)]
            assert ("←", "Previous message") in keys and ("→", "Next message") in keys, keys
            assert not any(display in ("p", "n") for display, _ in keys), keys
    finally:
        await dana.stop()
