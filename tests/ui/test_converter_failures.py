"""What the agent sees of a converter that fails, and of Ctrl+L (issue 13 items 1, 2, 6):
the real console (Pilot) on local_pubnub, the customer's own SDK to check what reached
her, and converter files edited on disk as an integrator edits them."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time

import pytest

from suppgram_tui.model import ConversationState
from suppgram_tui.settings import AgentSettings, Settings, SimulatorSettings
from suppgram_tui.ui.simulator_app import SimulatorApp
from suppgram_tui.ui.widgets.reply_size import ReplySizeMeter
from tests.helpers import failing_converters as conv
from tests.helpers.console_harness import console_app, open_simulator
from tests.helpers.inbox_harness import customer_client, link_settings, open_conversation
from tests.helpers.wait import wait_until
from tests.ui.test_replies import CHANNEL, agent_replies, open_rita, toasts


@pytest.fixture
async def customer(local_server):
    client = customer_client(local_server.origin, "rita")
    await open_conversation(client, CHANNEL, "how much is it?")
    yield client
    await client.stop()


@pytest.fixture
def converters(tmp_path):
    yield tmp_path
    conv.forget(tmp_path, "ascii_only", "no_notices")


def fix(directory, name: str, source: str, broken: str, fixed: str) -> None:
    """Edit the converter file as its author would (a new mtime, a new size)."""
    time.sleep(0.01)
    (directory / f"{name}.py").write_text(textwrap.dedent(source).replace(broken, fixed))


async def test_a_reply_the_converter_cannot_encode_stays_and_ctrl_l_lets_it_go(
        local_server, tmp_path, customer, converters):
    path = conv.write_converter(converters, "ascii_only", conv.ASCII_ONLY)
    app = console_app(local_server.origin, tmp_path / "ann.json", converter_path=path)
    async with app.run_test(size=(120, 30)) as pilot:
        composer = await open_rita(app, pilot)
        meter = app.console_screen.query_one(ReplySizeMeter)
        await pilot.press(*"It is 5 ")
        composer.insert("€")  # as a terminal delivers it
        await wait_until(lambda: meter.has_class("-over"))
        assert "The converter cannot encode this reply, Enter will not send it: " \
               "convert_to_pubnub raised UnicodeEncodeError" in str(meter.render())
        await pilot.press("enter")
        await wait_until(lambda: any("Not sent: the converter cannot encode this reply"
                                     in t for t in toasts(app)))
        assert app.is_running and composer.text == "It is 5 €"  # nothing lost
        assert app.console_screen.inbox.status().pending_replies == 0

        fix(converters, "ascii_only", conv.ASCII_ONLY, '.encode("ascii").decode()', "")
        await pilot.press("ctrl+l")
        await wait_until(lambda: any(t.startswith("Reloaded ascii_only.Converter from "
                                                  "ascii_only.py for the console.")
                                     for t in toasts(app)))
        await wait_until(lambda: not meter.has_class("-over"))  # measured anew
        composer.focus()
        await pilot.press("end", "enter")
        await wait_until(lambda: composer.text == "")
        await wait_until(lambda: app.console_screen.inbox.status().pending_replies == 0)
    assert await agent_replies(customer) == ["It is 5 €"]


async def test_resolve_with_a_converter_that_cannot_tell_the_customer_changes_nothing(
        local_server, tmp_path, customer, converters):
    path = conv.write_converter(converters, "no_notices", conv.NO_NOTICES)
    app = console_app(local_server.origin, tmp_path / "ann.json", converter_path=path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        conversation = app.console_screen.inbox.conversations[CHANNEL]
        await pilot.press("ctrl+r")
        await wait_until(lambda: any(t.startswith("Could not resolve: the converter cannot "
                                                  "encode the customer's notice: "
                                                  "convert_to_pubnub raised KeyError")
                                     for t in toasts(app)))
        assert conversation.state is ConversationState.NEW and app.is_running

        fix(converters, "no_notices", conv.NO_NOTICES, "raise KeyError", "print")
        await pilot.press("ctrl+l")
        await wait_until(lambda: any(t.startswith("Reloaded no_notices.Converter")
                                     for t in toasts(app)))
        await pilot.press("ctrl+r")  # the agent tries again
        await wait_until(lambda: conversation.state is ConversationState.RESOLVED)
        await wait_until(lambda: app.console_screen.inbox.status().pending_replies == 0)
    result = await customer.fetch_messages().channels([CHANNEL]).future()
    kinds = [item.message.get("kind") for item in result.result.channels[CHANNEL]]
    assert kinds == ["from_customer", "resolved"]


async def test_ctrl_l_in_the_simulator_reloads_the_console_too(
        local_server, tmp_path, customer, converters):
    path = conv.write_converter(converters, "ascii_only", conv.ASCII_ONLY)
    app = console_app(local_server.origin, tmp_path / "ann.json", converter_path=path)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_rita(app, pilot)
        inbox = app.console_screen.inbox
        simulator = await open_simulator(app, pilot)
        old = type(inbox.converter)
        fix(converters, "ascii_only", conv.ASCII_ONLY, '.encode("ascii").decode()', "")
        await pilot.press("ctrl+l")
        await wait_until(lambda: any(
            t == "Reloaded ascii_only.Converter from ascii_only.py for the console and the "
                 "simulator." for t in toasts(app)))
        new = type(inbox.converter)
        assert new is not old and type(simulator.simulation.converter) is new
        await pilot.press("f4")  # back: the console replies with the new one
        await wait_until(lambda: app.screen is app.console_screen)
        await inbox.send_reply(CHANNEL, "5 €, no more")
        await wait_until(lambda: inbox.status().pending_replies == 0)
    assert await agent_replies(customer) == ["5 €, no more"]


async def test_ctrl_l_in_the_simulator_run_on_its_own_reloads_it(local_server, converters):
    path = conv.write_converter(converters, "ascii_only", conv.ASCII_ONLY)
    app = SimulatorApp(Settings(pubnub=link_settings(local_server.origin),
                                agent=AgentSettings(converter_path=path),
                                simulator=SimulatorSettings(customer="dana")))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_until(lambda: getattr(app.screen, "selected", None)
                                  and app.screen)
        assert (await screen.simulation.say("dana", "5 €")).error
        fix(converters, "ascii_only", conv.ASCII_ONLY, '.encode("ascii").decode()', "")
        await pilot.press("ctrl+l")
        await wait_until(lambda: "Reloaded ascii_only.Converter from ascii_only.py for the "
                                 "simulator." in toasts(app))
        assert (await screen.simulation.say("dana", "5 €")).error is None


async def test_a_converter_that_hangs_on_a_reply_freezes_the_console_two_seconds_once(
        local_server, tmp_path, customer, converters):
    path = conv.write_converter(converters, "hangs", conv.HANGS)
    app = console_app(local_server.origin, tmp_path / "ann.json", converter_path=path)
    async with app.run_test(size=(120, 30)) as pilot:
        composer = await open_rita(app, pilot)
        meter = app.console_screen.query_one(ReplySizeMeter)
        started = time.monotonic()
        await pilot.press(*"slow")
        await wait_until(lambda: meter.has_class("-over"))
        assert time.monotonic() - started < 8  # one hang of 2 s, not one per key
        assert "convert_to_pubnub did not finish within 2 s and was stopped at hangs.py:" \
            in str(meter.render())
        started = time.monotonic()
        await pilot.press(*" but sure")  # measured no more: typing is not held up
        assert time.monotonic() - started < 2 and composer.text == "slow but sure"
        await pilot.press("enter")
        await wait_until(lambda: any("Not sent: the converter cannot encode this reply"
                                     in t for t in toasts(app)))
        assert app.is_running and composer.text == "slow but sure"
    assert await agent_replies(customer) == []


SLOW = """
    import time

    from suppgram_tui.converters import DefaultMessageConverter

    CALLS = []


    class Converter(DefaultMessageConverter):
        \"\"\"Slow to encode, as one that calls out to a service is.\"\"\"

        def convert_to_pubnub(self, message):
            CALLS.append(message.text)
            time.sleep(0.6)
            return super().convert_to_pubnub(message)
"""


async def test_typing_never_waits_for_a_slow_converter_it_is_measured_when_typing_pauses(
        local_server, tmp_path, customer, converters):
    path = conv.write_converter(converters, "slow_encoder", SLOW)
    app = console_app(local_server.origin, tmp_path / "ann.json", converter_path=path)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            composer = await open_rita(app, pilot)
            calls = sys.modules["slow_encoder"].CALLS
            calls.clear()
            for burst in ("hello", " ther"):  # ten keys over about 1.2 s
                started = time.monotonic()
                for key in burst:
                    await pilot.press(key)
                    await asyncio.sleep(0.12)
                await wait_until(lambda b=burst: composer.text.endswith(b.strip()))
                assert time.monotonic() - started < 1.5  # no key waited 0.6 s
            assert calls == []  # not once per key
            await wait_until(lambda: calls == ["hello ther"])  # the pause: measured once
            await pilot.press("e", "enter")  # Enter measures at once, as before
            await wait_until(lambda: composer.text == "")
        assert await agent_replies(customer) == ["hello there"]
    finally:
        conv.forget(converters, "slow_encoder")


async def test_what_the_simulator_could_not_encode_stays_in_the_customers_composer(
        local_server, converters):
    path = conv.write_converter(converters, "ascii_only", conv.ASCII_ONLY)
    app = SimulatorApp(Settings(pubnub=link_settings(local_server.origin),
                                agent=AgentSettings(converter_path=path),
                                simulator=SimulatorSettings(customer="dana")))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await wait_until(lambda: getattr(app.screen, "selected", None)
                                  and app.screen)
        screen.composer.focus()
        await pilot.press(*"price 5 ")
        screen.composer.insert("€")
        await pilot.press("enter")
        await wait_until(lambda: any("convert_to_pubnub raised UnicodeEncodeError" in t
                                     for t in toasts(app)))
        await wait_until(lambda: screen.composer.text == "price 5 €")
        await pilot.press(*" ok")  # the cursor at its end, to go on writing
        assert screen.composer.text == "price 5 € ok"
        screen.composer.load_text("plain")
        await pilot.press("enter")  # what does go out still empties it
        await wait_until(lambda: screen.composer.text == "")
        await pilot.pause(0.3)
        assert screen.composer.text == ""
