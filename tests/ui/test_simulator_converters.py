"""The simulator's workbench with envelope-aware converters and converters that do not
know every kind (issue 13 items 3, 4, 8), against local_pubnub."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from suppgram_tui.converters import ChatSdkConverter, load_converter
from suppgram_tui.inbox import ConversationAction
from suppgram_tui.model import MessageKind
from suppgram_tui.simulator.customers import Simulation
from suppgram_tui.timetokens import to_datetime
from tests.helpers.inbox_harness import InboxHarness
from tests.helpers.wait import wait_until
from tests.ui.test_simulator import settings_for

NO_RATED = """
    from datetime import datetime
    from enum import Enum
    from types import SimpleNamespace

    class MessageKind(str, Enum):  # as Suppgram's own: no "rated"
        FROM_CUSTOMER = "from_customer"
        FROM_AGENT = "from_agent"
        POSTPONED = "postponed"
        RESOLVED = "resolved"

    FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"

    class Converter:
        def convert_to_pubnub(self, message):
            return {"kind": message.kind.value, "time": message.time_utc.strftime(FORMAT),
                    "text": message.text}

        def convert_from_pubnub(self, message):
            payload = message.message
            return SimpleNamespace(kind=MessageKind(payload["kind"]),
                                   time_utc=datetime.strptime(payload["time"], FORMAT),
                                   text=payload.get("text"))
"""


@pytest.fixture
def no_rated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "no_rated.py").write_text(textwrap.dedent(NO_RATED), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield load_converter("no_rated.Converter")
    sys.modules.pop("no_rated", None)


async def test_a_rating_the_converter_cannot_carry_is_not_published(local_server, tmp_path,
                                                                    no_rated):
    sim = Simulation(settings_for(local_server.origin), converter=no_rated)
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    try:
        dana = await sim.add_customer("dana")
        await sim.say("dana", "thanks")
        record = await sim.rate("dana", 5, "quick")
        assert record.refused and record.envelope == {}
        assert record.error.startswith(
            "This converter cannot carry ratings, so none was sent: convert_from_pubnub raised")
        assert "'rated' is not a valid MessageKind" in record.error
        history = await dana.link.history()
        assert [wire.message["kind"] for wire in history] == ["from_customer"]
        await wait_until(lambda: ann.texts("dana-support") == ["thanks"])
    finally:
        await ann.stop()
        await sim.stop()


async def test_an_envelope_aware_converter_round_trips_in_the_workbench(local_server,
                                                                        tmp_path):
    sim = Simulation(settings_for(local_server.origin), converter=ChatSdkConverter(),
                     support_user="helpdesk")
    assert sim.converter.support_user == "helpdesk"
    try:
        await sim.add_customer("erik")
        record = await sim.say("erik", "hello")
        assert (record.status, record.changes) == ("ok", [])
        raw = await sim.send_raw("erik", {"type": "text", "text": "typed by hand"})
        assert raw.decoded.kind is MessageKind.FROM_CUSTOMER
        assert raw.decoded.time_utc == to_datetime(raw.envelope["timetoken"])
        ignored = await sim.send_raw("erik", {"type": "custom", "event": "cart"})
        assert ignored.status == "ignored" and "'custom' message" in ignored.ignored
    finally:
        await sim.stop()


async def test_a_notice_with_a_custom_message_type_is_read_as_delivered(local_server,
                                                                        tmp_path):
    sim = Simulation(settings_for(local_server.origin), converter=ChatSdkConverter())
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann",
                             converter=ChatSdkConverter()).start()
    try:
        fay = await sim.add_customer("fay")
        await sim.say("fay", "hi")
        await wait_until(lambda: ann.texts("fay-support") == ["hi"])
        await ann.inbox.apply(ConversationAction.RESOLVE, "fay-support")
        await wait_until(lambda: any(r.direction == "received" for r in sim.records))
        [received] = [r for r in sim.records if r.direction == "received"]
        assert received.envelope["custom_message_type"] == "suppgram-resolved"
        assert received.decoded.kind is MessageKind.RESOLVED and received.decoded.text is None
        assert fay.view.entries[-1].message.kind is MessageKind.RESOLVED
    finally:
        await ann.stop()
        await sim.stop()
