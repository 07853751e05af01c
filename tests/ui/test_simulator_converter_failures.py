"""The simulator's workbench with converters that raise, return the wrong type or hang
(issue 13 items 2 and 17): every direction says what failed and where, publishes nothing
it could not encode, and keeps going; against local_pubnub, a console inbox listening."""

from __future__ import annotations

import time

import pytest

from suppgram_tui.converters import DefaultMessageConverter
from suppgram_tui.simulator.customers import Simulation
from tests.helpers import failing_converters as conv
from tests.helpers.inbox_harness import InboxHarness
from tests.helpers.wait import wait_until
from tests.ui.test_simulator import settings_for


class ReturnsASet(DefaultMessageConverter):
    def convert_to_pubnub(self, message):
        return {"not", "json"}


@pytest.fixture
async def ann(local_server, tmp_path):
    harness = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    yield harness
    await harness.stop()


@pytest.fixture
def converters(tmp_path):
    yield tmp_path
    conv.forget(tmp_path, "ascii_only", "hangs", "raises_on_decode")


async def test_encoding_failures_are_recorded_and_nothing_is_published(
        local_server, ann, converters):
    sim = Simulation(settings_for(local_server.origin),
                     converter=conv.load(converters, "ascii_only", conv.ASCII_ONLY))
    try:
        await sim.add_customer("dana")
        euro = await sim.say("dana", "5 €")
        assert euro.error.startswith("convert_to_pubnub raised UnicodeEncodeError: 'ascii'")
        assert euro.error.endswith(f"({conv.where('ascii_only', conv.ASCII_ONLY, 'RAISES')})")
        assert euro.envelope == {}  # not published
        sim.converter = conv.load(converters, "hangs", conv.HANGS)
        started = time.monotonic()
        slow = await sim.say("dana", "a slow one")
        assert time.monotonic() - started < 5
        assert slow.error == ("convert_to_pubnub did not finish within 2 s and was stopped at "
                              + conv.where("hangs", conv.HANGS, "HANGS ENCODING"))
        assert slow.envelope == {}  # not published
        sim.converter = ReturnsASet()
        odd = await sim.say("dana", "hello")
        assert odd.error.startswith("convert_to_pubnub returned data that is not "
                                    "JSON-serialisable") and odd.envelope == {}
        sim.converter = conv.load(converters, "ascii_only", conv.ASCII_ONLY)
        fine = await sim.say("dana", "plain")
        assert fine.error is None and fine.envelope
        await wait_until(lambda: ann.texts("dana-support") == ["plain"])
    finally:
        await sim.stop()


async def test_decoding_failures_name_the_converters_line_in_every_direction(
        local_server, ann, converters):
    sim = Simulation(settings_for(local_server.origin),
                     converter=conv.load(converters, "raises_on_decode", conv.RAISES_ON_DECODE))
    where = conv.where("raises_on_decode", conv.RAISES_ON_DECODE, "RAISES")
    try:
        dana = await sim.add_customer("dana")
        sent = await sim.say("dana", "boom")  # decoded again as it will be delivered
        assert sent.error == f"convert_from_pubnub raised KeyError: 'no such field' ({where})"
        raw = await sim.send_raw("dana", {"kind": "from_customer", "time": None,
                                          "text": "boom"})
        assert raw.error.endswith(f"({where})") and raw.envelope  # published as given
        await wait_until(lambda: len(ann.texts("dana-support")) == 2)
        await ann.inbox.send_reply("dana-support", "boom")  # the agent's reply, received
        await wait_until(lambda: any(r.direction == "received" for r in dana.records))
        [received] = [r for r in dana.records if r.direction == "received"]
        assert received.error == f"convert_from_pubnub raised KeyError: 'no such field' ({where})"
        [shown] = [e for e in dana.view.entries if e.publisher == "support"]
        assert shown.error == received.error and shown.message is None
    finally:
        await sim.stop()
