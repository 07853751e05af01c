"""The customer simulator and converter workbench against local_pubnub."""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timezone

import pytest

from suppgram_tui.converters import DefaultMessageConverter, load_converter
from suppgram_tui.inbox import Author, ConversationAction
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.model import ConversationState, Message, MessageKind
from suppgram_tui.simulator import wire_log
from suppgram_tui.simulator.customers import Simulation
from suppgram_tui.ui.inspector import describe
from tests.helpers.console_harness import (
    console_app,
    list_text,
    open_simulator,
    transcript_text,
    wait_ready,
)
from tests.helpers.inbox_harness import InboxHarness
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY
from tests.helpers.wait import wait_until


def settings_for(origin: str, **extra) -> LinkSettings:
    return LinkSettings(PUBLISH_KEY, SUBSCRIBE_KEY, user_id="customer",
                        origin=origin, ssl=False, local=True, **extra)


@pytest.fixture
async def simulation(local_server):
    sim = Simulation(settings_for(local_server.origin), converter=DefaultMessageConverter())
    yield sim
    await sim.stop()


async def test_simulated_customers_chat_with_a_console_both_ways(local_server, tmp_path,
                                                                  simulation):
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    try:
        dana = await simulation.add_customer("dana")
        erik = await simulation.add_customer("erik")
        record = await simulation.say("dana", "where is my parcel?")
        assert record.status == "ok" and record.round_trip is True
        await simulation.say("erik", "hello")
        await wait_until(lambda: ann.texts("dana-support") == ["where is my parcel?"])
        await wait_until(lambda: ann.texts("erik-support") == ["hello"])

        await ann.inbox.send_reply("dana-support", "It is on its way.")
        await wait_until(lambda: any(e.text == "It is on its way." and e.author is Author.AGENT
                                     for e in dana.view.entries))
        received = [r for r in simulation.records if r.direction == "received"]
        assert received[-1].envelope["publisher"] == "support"
        assert received[-1].envelope["meta"]["agent"] == "ann"
        assert received[-1].decoded.text == "It is on its way."

        await ann.inbox.apply(ConversationAction.CLAIM, "dana-support")
        await ann.inbox.apply(ConversationAction.RESOLVE, "dana-support")
        await wait_until(lambda: any(e.author is Author.SYSTEM for e in dana.view.entries))
        await simulation.rate("dana", 5, "quick and kind")
        await wait_until(lambda: "★★★★★ rated 5/5: quick and kind" in ann.texts("dana-support"))
        assert ann.inbox.conversations["dana-support"].state is ConversationState.RESOLVED

        await simulation.set_online("erik", False)
        await wait_until(lambda: not ann.inbox.conversations["erik-support"].customer_online)
        await simulation.set_online("erik", True)
        await wait_until(lambda: ann.inbox.conversations["erik-support"].customer_online)
        assert erik.online
    finally:
        await ann.stop()


async def test_inspector_records_a_converter_exception_instead_of_crashing(local_server):
    class Fussy(DefaultMessageConverter):
        def convert_from_pubnub(self, message):
            if "boom" in str(message.message):
                raise KeyError("boom is not a field I know")
            return super().convert_from_pubnub(message)

    sim = Simulation(settings_for(local_server.origin), converter=Fussy())
    try:
        await sim.add_customer("fay")
        record = await sim.send_raw("fay", {"boom": True})
        assert record.decoded is None and "boom is not a field I know" in record.error
        assert record.envelope["timetoken"] > 0  # it was still published
        fine = await sim.say("fay", "still working")
        assert fine.status == "ok"
    finally:
        await sim.stop()


def test_workbench_says_what_a_round_trip_changed_in_check_converters_words() -> None:
    class Cutting(DefaultMessageConverter):
        def convert_to_pubnub(self, message):
            return {**super().convert_to_pubnub(message), "text": message.text[:5]}

    sent = Message(MessageKind.FROM_CUSTOMER, datetime(2026, 11, 26, 4, tzinfo=timezone.utc),
                   "hello world")
    record = wire_log.encode(Cutting(), sent, "dana")
    assert record.status == "changed: text" and record.round_trip is False
    assert record.changes == ["text cut to 5 of 11 characters"]
    assert "CHANGED: text cut to 5 of 11 characters" in describe(record)
    assert wire_log.encode(DefaultMessageConverter(), sent, "dana").changes == []


async def test_reload_picks_up_an_edited_converter(local_server, tmp_path, monkeypatch):
    module = tmp_path / "live_converter.py"
    module.write_text(textwrap.dedent('''
        from suppgram_tui.converters import DefaultMessageConverter

        class Live(DefaultMessageConverter):
            def convert_to_pubnub(self, message):
                data = super().convert_to_pubnub(message)
                data["version"] = 1
                return data
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "live_converter", raising=False)
    sim = Simulation(settings_for(local_server.origin),
                     converter=load_converter("live_converter.Live"))
    try:
        await sim.add_customer("gil")
        assert (await sim.say("gil", "one")).payload["version"] == 1
        module.write_text(module.read_text().replace('data["version"] = 1',
                                                     'data["version"] = 2'))
        assert "Reloaded live_converter.Live" in sim.reload_converter()
        assert (await sim.say("gil", "two")).payload["version"] == 2
    finally:
        await sim.stop()


async def test_customers_get_tokens_limited_to_their_own_channel(tmp_path):
    async with LocalPubNub(secret_key="s3cret", publish_key=PUBLISH_KEY,
                           poll_timeout=2) as server:
        sim = Simulation(settings_for(server.origin, secret_key="s3cret"),
                         converter=DefaultMessageConverter())
        try:
            hana = await sim.add_customer("hana")
            assert hana.link.token and hana.link.settings.secret_key
            assert (await sim.say("hana", "hi")).status == "ok"
            other = await hana.link.pubnub.publish().channel("someone-else-support") \
                .message({"x": 1}).future()
            assert other.status.is_error() and other.status.status_code == 403
            parsed = hana.link.pubnub.parse_token(hana.link.token)
            assert set(parsed["resources"]["channels"]) == {"hana-support",
                                                            "hana-support-pnpres"}
        finally:
            await sim.stop()


async def test_simulator_screen_from_the_console(local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_ready(app)
        screen = await open_simulator(app, pilot)
        await pilot.press(*"hello from the simulator", "enter")
        await wait_until(lambda: len(screen.simulation.records) == 1)
        await pilot.press("escape")
        await wait_until(lambda: "hello from the simulator" in list_text(app))
        await wait_until(lambda: "hello from the simulator" in transcript_text(app))
        await pilot.press("tab", *"hi there", "enter")
        await wait_until(lambda: "hi there" in transcript_text(app))
        await pilot.press("f4")
        await wait_until(lambda: any(r.direction == "received"
                                     for r in screen.simulation.records))
        await pilot.press("ctrl+e")
        await pilot.press(*'{"kind": 1}', "enter")
        await wait_until(lambda: any(r.error for r in screen.simulation.records))
        detail = str(screen.query_one("#sim-detail").render())
        assert "convert_from_pubnub" in detail
