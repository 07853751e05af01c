"""The simulator's wire inspector (issue 13 item 17): each record says what it is,
images and files are named, a record saves as a check-converter sample, raw JSON goes
out with meta and as another publisher, toasts stay off the detail pane, and after
rating the next line typed reaches the composer. What the console's inbox (real SDK,
real server) received is asserted, not only the screen."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, Label

from suppgram_tui.cli import main
from suppgram_tui.converters import DefaultMessageConverter, WireMessage
from suppgram_tui.converters.samples import load_sample
from suppgram_tui.inbox import ConversationAction
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.simulator.customers import Simulation
from suppgram_tui.simulator.wire_log import WireRecord
from suppgram_tui.ui.inspector import describe
from suppgram_tui.ui.screens.prompt import PromptScreen
from suppgram_tui.ui.screens.raw_publish import RawPublishScreen
from suppgram_tui.ui.widgets.transcript_entry import author_label
from suppgram_tui.ui.widgets.wire_inspector import WireInspector
from tests.helpers.inbox_harness import InboxHarness, link_settings
from tests.helpers.keys import PUBLISH_KEY
from tests.helpers.wait import wait_until
from tests.ui.test_simulator_screen import simulator_of, standalone

DEFAULT = "suppgram_tui.converters.DefaultMessageConverter"


@pytest.fixture
async def ann(local_server, tmp_path):
    """A console's inbox on the same server that sets order-bot aside."""
    harness = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann",
                                 ignored_publishers=("order-bot",)).start()
    yield harness
    await harness.stop()


def detail(screen) -> str:
    return str(screen.query_one("#sim-detail").render())


async def detail_saying(screen, words: str) -> str:
    """The detail once it shows the newest record (it follows the table's cursor)."""
    return await wait_until(lambda: words in detail(screen) and detail(screen))


def what_column(screen) -> list[str]:
    table = screen.query_one("#sim-records", DataTable)
    return [str(table.get_row_at(row)[1]) for row in range(table.row_count)]


async def test_each_record_says_what_it_is_sent_raw_or_a_reply_as_delivered(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await simulator_of(app)
        await pilot.press(*"hi", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["hi"])
        text = await detail_saying(screen, "Sent by")
        assert text.startswith(
            "▸ What\nSent by simulated customer dana (its Message through convert_to_pubnub)")
        await ann.inbox.send_reply("dana-support", "It is on its way.")
        reply = await wait_until(lambda: [r for r in screen.simulation.records
                                          if r.direction == "received"])
        await wait_until(lambda: "reply" in what_column(screen))
        text = await detail_saying(screen, "Received from")
        assert "Received from the support user support: a reply, as PubNub" in text, text
        assert "(raw JSON)" not in text and "▸ Message\n" not in text
        assert "publisher: support" in text and '"agent": "ann"' in text
        assert f"timetoken: {reply[0].envelope['timetoken']} (20" in text  # and its instant
        assert "It is on its way." in text

        await pilot.press("ctrl+e")
        box = await wait_until(lambda: isinstance(app.screen, RawPublishScreen) and app.screen)
        box.query_one("#raw-payload", Input).value = json.dumps(
            {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000",
             "text": "typed by hand"})
        await pilot.press("enter")
        await wait_until(lambda: ann.texts("dana-support")[-1:] == ["typed by hand"])
        await wait_until(lambda: what_column(screen) == ["sent", "reply", "raw"])
        text = await detail_saying(screen, "Raw JSON")
        assert text.startswith("▸ What\nRaw JSON published as typed by dana (no Message")

        await ann.inbox.apply(ConversationAction.RESOLVE, "dana-support")
        await wait_until(lambda: what_column(screen)[-1:] == ["notice"])
        await detail_saying(screen, "support: a notice (resolved), as PubNub delivered it to dana")


def test_images_and_chat_sdk_files_are_named_in_words_never_dumped() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    message = Message(MessageKind.FROM_CUSTOMER, datetime(2026, 11, 26, tzinfo=timezone.utc),
                      None, png, "image/png")
    payload = {"type": "text", "text": "see attached",
               "image": base64.b64encode(png).decode(),
               "files": [{"name": "receipt.pdf", "id": "f1", "type": "application/pdf",
                          "size": 48213, "url": "https://files/f1"}, {"id": "f2"}]}
    record = WireRecord("received", "dana", source="other", payload=payload, decoded=message,
                        envelope={"publisher": "order-bot", "timetoken": 17641296001234560,
                                  "channel": "dana-support", "meta": None})
    text = describe(record)
    assert "image: image/png, 5,008 bytes" in text
    assert "1. receipt.pdf (application/pdf, 48,213 bytes)" in text
    assert "2. f2 (type not given, size not given)" in text
    assert "Received from order-bot (not the support user)" in text
    assert payload["image"] not in text and "(6,680 characters)" in text
    assert "\\x89PNG" not in text and "b'" not in text


def test_a_failed_encode_has_its_own_heading_and_no_null_json() -> None:
    from suppgram_tui.simulator.wire_log import encode

    class NoEuro(DefaultMessageConverter):
        def convert_to_pubnub(self, message):
            raise ValueError("no euro sign")

    message = Message(MessageKind.FROM_CUSTOMER, datetime(2026, 11, 26, tzinfo=timezone.utc),
                      "price 5 €")
    text = describe(encode(NoEuro(), message, "dana"))
    assert "▸ convert_to_pubnub failed\nconvert_to_pubnub raised ValueError: no euro sign" \
        in text
    assert "null" not in text and "▸ JSON" not in text
    assert "▸ convert_from_pubnub" not in text
    assert "▸ Envelope\n(not published)" in text


async def test_ctrl_s_saves_the_selected_record_as_a_sample_check_converter_accepts(
        local_server, ann, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = standalone(local_server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await simulator_of(app)
        assert "Save sample" in [b.binding.description
                                 for b in screen.active_bindings.values()]
        await pilot.press(*"where is my order?", "enter")
        await wait_until(lambda: len(screen.simulation.records) == 1)
        await ann.inbox.send_reply("dana-support", "Checking now.")
        await wait_until(lambda: len(screen.simulation.records) == 2)
        sent, reply = screen.simulation.records

        # the reply (newest, selected): the suggested name is free, under the cwd
        await pilot.press("ctrl+s")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        assert prompt.query_one(Input).value == "sample-dana-reply-1.json"
        await pilot.press("enter")
        await wait_until(lambda: app.screen is screen)
        saved = tmp_path / "sample-dana-reply-1.json"
        assert json.loads(saved.read_text()) == {
            "message": reply.payload, "publisher": "support",
            "timetoken": reply.envelope["timetoken"], "channel": "dana-support",
            "meta": reply.envelope["meta"]}
        toast = next(n.message for n in app._notifications if "check-converter" in n.message)
        assert toast == ("In sample-dana-reply-1.json. Check: suppgram-tui check-converter "
                         f"{screen.converter_path} sample-dana-reply-1.json")  # fits 80x24
        assert str(tmp_path) not in toast

        # the customer's record, chosen with the cursor; an existing name is refused
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("ctrl+s")
        prompt = await wait_until(lambda: isinstance(app.screen, PromptScreen) and app.screen)
        box = prompt.query_one(Input)
        assert box.value == "sample-dana-sent-1.json"
        box.value = saved.name
        await pilot.press("enter")
        problem = str(prompt.query_one("#prompt-problem", Label).render())
        assert app.screen is prompt and "already exists and is not overwritten" in problem
        assert json.loads(saved.read_text())["publisher"] == "support"  # untouched
        box.value = "customer.json"
        await pilot.press("enter")
        await wait_until(lambda: app.screen is screen)

    # round trip: the file reads back as the record's payload in its envelope...
    sample = load_sample(tmp_path / "customer.json")
    assert (sample.payload, sample.publisher, sample.timetoken, sample.channel) == (
        sent.payload, "dana", sent.envelope["timetoken"], "dana-support")
    assert load_sample(saved).meta == reply.envelope["meta"]
    # ...and check-converter accepts both
    result = CliRunner().invoke(main, ["check-converter", DEFAULT, str(saved),
                                       "customer.json", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)["cases"]}
    assert rows["sample sample-dana-reply-1.json"]["result"] == "pass"
    assert rows["sample customer.json"]["result"] == "pass"
    assert "from_agent" in rows["sample sample-dana-reply-1.json"]["details"]


async def test_raw_json_with_meta_as_another_publisher_reaches_the_console_so(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await simulator_of(app)
        await pilot.press(*"hello", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["hello"])
        await pilot.press("ctrl+e")
        box = await wait_until(lambda: isinstance(app.screen, RawPublishScreen) and app.screen)
        box.query_one("#raw-payload", Input).value = json.dumps(
            {"kind": "from_customer", "time": "2026-11-26T04:00:00.000000+0000",
             "text": "your parcel shipped"})
        problem = box.query_one("#prompt-problem", Label)
        meta = box.query_one("#raw-meta", Input)
        for slip, words in (("[1, 2]", "Meta must be a JSON object"),
                            ('{"source": ', "Meta is not JSON yet")):
            meta.value = slip
            await pilot.press("enter")
            assert app.screen is box and problem.display and meta.has_focus
            assert words in str(problem.render()) and meta.value == slip
        meta.value = '{"source": "shop"}'
        publisher = box.query_one("#raw-publisher", Input)
        publisher.value = "order bot"
        await pilot.press("enter")
        assert app.screen is box and publisher.has_focus
        assert "no spaces" in str(problem.render())
        publisher.value = "order-bot"
        kind = box.query_one("#raw-type", Input)
        kind.value = "pn-nope"
        await pilot.press("enter")
        assert app.screen is box and kind.has_focus and "3 to 50" in str(problem.render())
        kind.value = "shipping-update"
        await pilot.press("enter")
        await wait_until(lambda: app.screen is screen)

        # what the console's real SDK subscription delivered: publisher, meta, type
        wire = await wait_until(lambda: [e for e in ann.link_events
                                         if isinstance(e, WireMessage)
                                         and e.publisher == "order-bot"])
        assert wire[0].user_metadata == {"source": "shop"}
        assert wire[0].custom_message_type == "shipping-update"
        # --pubnub-ignore-publisher order-bot: set aside, not a customer's line
        conversation = ann.inbox.conversations["dana-support"]
        await wait_until(lambda: conversation.set_aside_entries)
        assert ann.texts("dana-support") == ["hello"]
        assert conversation.set_aside_entries[0].publisher == "order-bot"
        record = next(r for r in screen.simulation.records if r.source == "raw")
        assert record.envelope["publisher"] == "order-bot" and not record.error
        assert record.envelope["meta"] == {"source": "shop"}
        assert "published as typed on dana's channel as order-bot" in describe(record)
        # dana's own client received it from order-bot, labelled so
        await wait_until(lambda: any(r.source == "other" for r in screen.simulation.records))
        seen = screen.simulation.customers["dana"].view.entries[-1]
        assert author_label(seen) == "order-bot"  # not "another agent"
        assert app.focused is screen.composer


async def test_after_rating_from_the_wire_log_the_next_line_reaches_the_composer(
        local_server, ann):
    app = standalone(local_server.origin)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await simulator_of(app)
        await pilot.press(*"hi", "enter")
        await wait_until(lambda: ann.texts("dana-support") == ["hi"])
        screen.query_one("#sim-records", DataTable).focus()  # looking at the wire log
        await pilot.press("ctrl+r")
        await wait_until(lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"5 great", "enter", *"one more thing", "enter")
        await wait_until(lambda: ann.texts("dana-support")[1:] == [
            "★★★★★ rated 5/5: great", "one more thing"])
        assert app.focused is screen.composer


@pytest.mark.parametrize("size, f2", [((80, 24), True), ((120, 40), False)])
async def test_toasts_never_cover_the_detail_pane(local_server, ann, size, f2):
    app = standalone(local_server.origin)
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await simulator_of(app)
        if f2:
            await pilot.press("f2")
        await pilot.press(*"hi", "enter")
        await wait_until(lambda: screen.simulation.records)
        for number in range(6):  # more than fit: the rack scrolls, it does not grow down
            screen.notify(f"a long notice number {number} " + "that wraps " * 12,
                          severity="error", timeout=30)
        await pilot.pause(0.3)
        pane = screen.query_one("#sim-detail").region
        assert pane.height > 3 and screen.query_one(WireInspector).region.width > 0
        # what is drawn on each cell of the detail pane: never a toast
        on_top = {type(screen.get_widget_at(x, y)[0]).__name__
                  for x in range(pane.x, pane.right) for y in range(pane.y, pane.bottom)}
        assert not on_top & {"Toast", "ToastHolder", "ToastRack"}, on_top
        # the toasts are drawn (top left, over the customers and the chat's top)
        drawn = {type(screen.get_widget_at(x, y)[0]).__name__
                 for x in range(0, 30) for y in range(1, 8)}
        assert drawn & {"Toast", "ToastHolder"}, drawn


async def test_another_publisher_publishes_under_access_manager_as_a_backend_would():
    """With the secret key the bot's publish is signed (a backend's); the customer's own
    token could not publish as another user id."""
    async with LocalPubNub(secret_key="s3cret", publish_key=PUBLISH_KEY,
                           poll_timeout=2) as server:
        settings = replace(link_settings(server.origin), secret_key="s3cret")
        sim = Simulation(settings, converter=DefaultMessageConverter())
        try:
            await sim.add_customer("hana")
            record = await sim.send_raw("hana", {"kind": "from_customer", "text": "x",
                                                 "time": "2026-11-26T04:00:00.000000+0000"},
                                        meta={"source": "crm"}, publisher="order-bot")
            assert not record.error and record.envelope["publisher"] == "order-bot"
            history = await sim.customers["hana"].link.history()
            assert [(w.publisher, w.user_metadata) for w in history] == [
                ("order-bot", {"source": "crm"})]
        finally:
            await sim.stop()


async def test_a_publish_pubnub_did_not_take_is_under_its_own_heading_not_the_converters():
    """With the server gone, the failure showed under "convert_from_pubnub", followed by
    "Round trip equal": an integrator read it as their converter's fault."""
    server = await LocalPubNub(poll_timeout=2).start()
    sim = Simulation(link_settings(server.origin), converter=DefaultMessageConverter())
    try:
        await sim.add_customer("ivy")
        await server.stop()
        record = await sim.say("ivy", "anyone there?")
        text = describe(record)
        assert f"▸ Publish failed\ncannot reach {server.origin} (connection refused)" \
            in text, text
        read = text.split("▸ convert_from_pubnub\n", 1)[1].split("\n")[0]
        assert read.startswith("kind=from_customer") and "text='anyone there?'" in read, read
    finally:
        await sim.stop()
