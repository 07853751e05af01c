"""Canned replies, saved and inserted as an agent does it (issue 12 item 24): the name
dialog takes no empty or two-word name, `/tha` + Tab completes, the palette says "Mine"
as the tab does. What the customer's SDK received is asserted."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Label

from suppgram_tui.store import AgentStore
from suppgram_tui.ui.screens.prompt import PromptScreen
from suppgram_tui.ui.widgets.composer import Composer
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import SUPPORT, open_conversation
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until


async def listening_customer(make_client, uuid: str, text: str) -> Recorder:
    customer = make_client(uuid)
    heard = Recorder()
    customer.add_listener(heard)
    customer.subscribe().channels([f"{uuid}-support"]).execute()
    await wait_until(lambda: heard.connected)
    await open_conversation(customer, f"{uuid}-support", text)
    return heard


def replies(heard: Recorder) -> list[str]:
    return [m.message["text"] for m in heard.messages if m.publisher == SUPPORT]


async def test_the_name_dialog_keeps_asking_until_a_name_is_typed_then_saves_it(
        local_server, tmp_path, make_client):
    await listening_customer(make_client, "ida", "hello")
    store_path = tmp_path / "ann.json"
    app = console_app(local_server.origin, store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        await wait_until(lambda: "hello" in transcript_text(app))
        composer = screen.query_one(Composer)
        composer.focus()
        await pilot.press(*"Thank you for waiting!")
        screen.action_save_canned()  # the palette row "Save reply as canned reply"
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        box, problem = prompt.query_one(Input), prompt.query_one("#prompt-problem", Label)
        assert "e.g." in box.placeholder  # reads as an example, not as a default
        await pilot.press("enter")
        assert app.screen is prompt and problem.display
        assert "grey text is only an example" in str(problem.render())
        await pilot.press(*"thank you", "enter")
        assert app.screen is prompt and box.value == "thank you"
        assert "one word" in str(problem.render())
        await pilot.press(*(["backspace"] * 4), "enter")
        await wait_until(lambda: app.screen is screen)
        assert screen.inbox.canned_replies() == {"thank": "Thank you for waiting!"}
    with AgentStore(store_path) as store:
        assert store.canned_replies() == {"thank": "Thank you for waiting!"}


async def test_the_start_of_a_name_and_tab_inserts_the_canned_reply(
        local_server, tmp_path, make_client):
    heard = await listening_customer(make_client, "jo", "hello")
    store_path = tmp_path / "ann.json"
    with AgentStore(store_path) as store:
        store.set_canned_reply("thanks", "Thank you for waiting!")
        store.set_canned_reply("refund", "Your refund is on its way.")
        store.set_canned_reply("resend", "I have sent it again.")
    app = console_app(local_server.origin, store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_ready(app)
        await wait_until(lambda: "hello" in transcript_text(app))
        composer = screen.query_one(Composer)
        composer.focus()
        await pilot.press(*"/tha", "tab")
        assert composer.text == "Thank you for waiting!" and app.focused is composer
        await pilot.press("enter")
        await wait_until(lambda: replies(heard) == ["Thank you for waiting!"])
        await pilot.press(*"/re", "tab")  # two names start so: say which, change nothing
        assert composer.text == "/re" and app.focused is composer
        await wait_until(lambda: any("/refund, /resend" in n.message
                                     for n in app._notifications))
        await pilot.press(*"f", "enter")  # /ref is refund's alone: Enter inserts it too
        assert composer.text == "Your refund is on its way."
        assert replies(heard) == ["Thank you for waiting!"]


async def test_the_palette_names_the_mine_tab_as_the_tab_does(local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_ready(app)
        await pilot.press("ctrl+p")
        palette = await wait_until(lambda: isinstance(app.screen, CommandPalette) and app.screen)
        await pilot.press(*"mine")
        results = palette.query_one(CommandList)
        rows = await wait_until(lambda: [str(results.get_option_at_index(i).prompt)
                                         for i in range(results.option_count)])
        assert any("Show Mine" in row for row in rows), rows
        assert not any("Show My" in row for row in rows), rows
