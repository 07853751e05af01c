"""The simulator screen as a person uses it (issue 12 items 20-23): what the keys say and
do, what its composer sends, and dialogs that keep a slip to fix. What the console's
inbox received is asserted, not only the screen."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable, Input, Label

from suppgram_tui.model import MessageKind
from suppgram_tui.settings import AgentSettings, Settings, SimulatorSettings
from suppgram_tui.ui.screens.confirm import ConfirmScreen
from suppgram_tui.ui.screens.prompt import PromptScreen
from suppgram_tui.ui.screens.raw_publish import RawPublishScreen
from suppgram_tui.ui.screens.simulator import SimulatorScreen
from suppgram_tui.ui.simulator_app import SimulatorApp
from suppgram_tui.ui.widgets.customer_list import CustomerList
from suppgram_tui.ui.widgets.transcript import Transcript
from tests.helpers.console_harness import console_app, open_simulator, wait_ready
from tests.helpers.inbox_harness import InboxHarness, link_settings
from tests.helpers.wait import wait_until

SUPPGRAM_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000")


def footer_keys(screen: SimulatorScreen) -> list[str]:
    """The footer's words in order (it shows one per action, however many keys)."""
    words = [b.binding.description for b in screen.active_bindings.values() if b.binding.show]
    return list(dict.fromkeys(words))


@pytest.fixture
async def ann(local_server, tmp_path):
    """An agent's inbox on the same server: what a console receives."""
    harness = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    yield harness
    await harness.stop()


def standalone(origin: str, customer: str = "dana") -> SimulatorApp:
    """`suppgram-tui simulate --origin … --pubnub-user-id dana`, as the CLI builds it."""
    return SimulatorApp(Settings(pubnub=link_settings(origin), agent=AgentSettings(),
                                 simulator=SimulatorSettings(customer=customer)))


def word_for(screen: SimulatorScreen, key: str) -> str:
    return screen.active_bindings[key].binding.description


async def simulator_of(app: SimulatorApp) -> SimulatorScreen:
    return await wait_until(lambda: isinstance(app.screen, SimulatorScreen)
                            and app.screen.selected is not None and app.screen)


async def test_standalone_quit_key_is_named_quit_and_asks_before_customers_go(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        await pilot.press(*"hi", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["hi"]
                         and ann.inbox.conversations["dana-support"].customer_online)
        assert footer_keys(screen)[0] == "Quit" and "Back to console" not in footer_keys(screen)
        assert word_for(screen, "f4") == word_for(screen, "escape") == "Quit"
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Quit the simulator? 1 simulated customer will go offline."
        await pilot.press("n")  # no: nothing is lost
        await wait_until(lambda: app.screen is screen)
        await pilot.press("ctrl+n")
        await wait_until(lambda: len(screen.simulation.customers) == 2)
        await pilot.press("f4")
        await wait_until(lambda: isinstance(app.screen, ConfirmScreen))
        assert "2 simulated customers will go offline" in app.screen.question
        assert ann.inbox.conversations["dana-support"].customer_online
        await pilot.press("f4")  # the same key again: yes
        await wait_until(lambda: app.return_code is not None or not app.is_running)
    await wait_until(lambda: not ann.inbox.conversations["dana-support"].customer_online)


async def test_inside_the_console_escape_goes_back_at_once_and_customers_live_on(
        local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 40)) as pilot:
        console = await wait_ready(app)
        screen = await open_simulator(app, pilot)
        assert footer_keys(screen)[0] == "Back to console"
        assert word_for(screen, "f4") == word_for(screen, "escape") == "Back to console"
        customer = screen.selected
        await pilot.press(*"hello", "enter")
        channel = f"{customer}-support"
        await wait_until(lambda: channel in console.inbox.conversations)
        await pilot.press("escape")
        await wait_until(lambda: app.screen is console)
        await pilot.pause(0.5)
        assert console.inbox.conversations[channel].customer_online
        assert screen.simulation.customers[customer].online


async def test_the_composer_is_the_customers_and_sends_a_slash_word_as_typed(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await simulator_of(app)
        composer = screen.composer
        assert "customer" in composer.placeholder and "Enter sends" in composer.placeholder
        assert "canned" not in composer.placeholder and "Reply" not in composer.placeholder
        await pilot.press(*"/start", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["/start"])
        await pilot.press(*"/thanks", "tab")  # Tab moves on; nothing is sent or replaced
        assert composer.text == "/thanks" and app.focused is not composer
        assert not [n for n in app._notifications if "canned" in n.message]


async def test_tab_goes_list_composer_never_the_chat_log_and_typing_in_the_list_is_kept(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await simulator_of(app)
        customers = screen.query_one(CustomerList)
        seen = set()
        for _ in range(4):
            await pilot.press("tab")
            seen.add(type(app.focused))
        assert Transcript not in seen and seen == {CustomerList, DataTable, type(screen.composer)}
        customers.focus()
        await pilot.press("tab")
        assert app.focused is screen.composer
        customers.focus()
        await pilot.press(*"typed in the list", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["typed in the list"])


async def test_at_80_columns_the_chat_is_usable_and_the_wire_log_folds_under_f2(local_server):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        inspector = screen.query_one("#sim-inspector")
        assert screen.composer.size.width >= 50 and not inspector.display
        await pilot.press("f2")
        assert inspector.display and screen.composer.size.width >= 50
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.has_class("-wide")


async def test_an_invalid_rating_stays_in_the_box_with_what_is_wrong(local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        await pilot.press("ctrl+r")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        await pilot.press("enter")  # the grey example is not an answer
        problem = prompt.query_one("#prompt-problem", Label)
        assert problem.display and "1 to 5" in str(problem.render())
        await pilot.press(*"6 great", "enter")
        assert app.screen is prompt and prompt.query_one(Input).value == "6 great"
        assert "“6” is not one" in str(problem.render())
        await pilot.press("home", "delete", "4")
        assert not problem.display  # an edit clears the complaint
        await pilot.press("enter")
        await wait_until(lambda: app.screen is screen)
        await wait_until(lambda: ann.texts("dana-support") == ["★★★★☆ rated 4/5: great"])
        rated = ann.inbox.conversations["dana-support"].entries[-1].message
        assert rated is not None and rated.kind is MessageKind.RATED


async def test_raw_json_starts_with_an_example_in_the_converters_time_format_and_keeps_a_slip(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        await pilot.press("ctrl+e")
        prompt = await wait_until(lambda: isinstance(app.screen, RawPublishScreen)
                                  and app.screen)
        box = prompt.query_one("#raw-payload", Input)
        assert SUPPGRAM_TIME.search(box.placeholder) and box.value == box.placeholder
        hint = str(prompt.query_one("#prompt-hint", Label).render())
        assert SUPPGRAM_TIME.search(hint), hint
        box.value = box.value.replace('"text": "hello"}', '"text": "raw hi"')  # no closing }
        await pilot.press("enter")
        problem = prompt.query_one("#prompt-problem", Label)
        assert app.screen is prompt and problem.display
        assert "not JSON" in str(problem.render()) and box.value.endswith('"raw hi"')
        await pilot.press("end", "}", "enter")
        await wait_until(lambda: app.screen is screen)
        await wait_until(lambda: ann.texts("dana-support") == ["raw hi"])
        assert screen.simulation.records[-1].status == "ok"


async def test_at_80x24_the_wire_log_shows_its_selected_newest_row(local_server):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        for number in range(8):
            await screen.simulation.say("dana", f"line {number}")
        await pilot.press("f2")
        await pilot.pause(0.2)
        table = screen.query_one("#sim-records", DataTable)

        def newest_in_view() -> bool:
            shown = table.scrollable_content_region.height - 1  # under the header
            return (table.cursor_row == table.row_count - 1 and table.row_count >= 8 and shown > 0
                    and table.scroll_y <= table.cursor_row < table.scroll_y + shown)
        await wait_until(newest_in_view)
        await screen.simulation.say("dana", "one more")  # while it is shown, too
        await wait_until(lambda: table.row_count == 9 and newest_in_view())


async def test_f1_gives_the_simulators_own_keys_standalone_and_inside_the_console(
        local_server, tmp_path):
    from suppgram_tui.ui.screens.help import HelpScreen

    def help_text(app) -> str:
        return "\n".join(f"{title}\n" + "\n".join(f"{keys} {words}" for keys, words in rows)
                         for title, rows in app.screen.sections)

    for app in (standalone(local_server.origin), console_app(local_server.origin,
                                                             tmp_path / "ann.json")):
        async with app.run_test(size=(100, 40)) as pilot:
            if isinstance(app, SimulatorApp):
                await simulator_of(app)
            else:
                await wait_ready(app)
                await open_simulator(app, pilot)
            await pilot.press("f1")
            await wait_until(lambda a=app: isinstance(a.screen, HelpScreen))
            text = help_text(app)
            assert "Chat as a customer" in text and "Try the converter" in text
            assert "Ctrl+E" in text and "Ctrl+S" in text and "F2" in text
            assert "Reply to a customer" not in text  # not the console's
            await pilot.press("f1")
            await wait_until(lambda a=app: isinstance(a.screen, SimulatorScreen))
            assert not app.screen.query("HelpPanel")


@pytest.mark.parametrize("columns", [80, 120])
async def test_raw_json_placeholders_fit_their_boxes(local_server, columns):
    app = standalone(local_server.origin, customer="customer-7e2f515a9c")
    async with app.run_test(size=(columns, 40)) as pilot:
        await simulator_of(app)
        await pilot.press("ctrl+e")
        prompt = await wait_until(lambda: isinstance(app.screen, RawPublishScreen)
                                  and app.screen)
        await pilot.pause()
        for box in ("raw-meta", "raw-publisher", "raw-type"):
            field = prompt.query_one(f"#{box}", Input)
            assert len(field.placeholder) <= field.content_region.width, (box, field.placeholder)
        assert prompt.query_one("#raw-publisher", Input).placeholder.endswith("order-bot")


async def test_pgup_in_the_customers_composer_pages_the_chat_above(local_server, ann):
    """The chat log takes no focus (Tab skips it), so PgUp/PgDn in the composer are how
    the keyboard reads back, as in the console."""
    app = standalone(local_server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await simulator_of(app)
        transcript = screen.query_one("#sim-transcript", Transcript)
        screen.composer.focus()
        for number in range(30):
            await pilot.press(*f"line {number}", "enter")
        await wait_until(lambda: len(ann.texts("dana-support")) == 30)
        await wait_until(lambda: transcript.max_scroll_y > 0
                         and transcript.scroll_y == transcript.max_scroll_y)
        await pilot.press(*"half", "pageup")
        await wait_until(lambda: transcript.scroll_y < transcript.max_scroll_y)
        await pilot.press("pagedown", "pagedown", "pagedown")
        await wait_until(lambda: transcript.scroll_y == transcript.max_scroll_y)
        assert screen.composer.text == "half"
