"""A flood into the open conversation keeps the console's memory bounded (issue 11, item 6).

The open transcript's render cache held 4,000 entries' lines whatever the conversation
kept (1,000): 31 KB messages grew the console from 97 MB to 2 GB. The wire view (F2)
rendered each 900 KB meta whole and froze the console for 10 s. Now lines are kept by
count, heights only for the entries kept, the wire view shows a preview of each payload,
and F7 shows one message whole.
"""

from __future__ import annotations

import asyncio
import gc
import json

import pytest
from textual.strip import Strip

from suppgram_tui.inbox.conversation import MAX_KEPT_ENTRIES
from suppgram_tui.local_pubnub.events import Event
from suppgram_tui.local_pubnub.persistence import StoredMessage
from suppgram_tui.ui.screens.payload import PayloadScreen
from suppgram_tui.ui.widgets.payload_view import PayloadView
from suppgram_tui.ui.widgets.transcript import MAX_CACHED_LINES, Transcript
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import GROUP, customer_client, customer_payload
from tests.helpers.keys import SUBSCRIBE_KEY
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.slow

FILLER = "lorem-ipsum-dolor-sit-amet.consectetur-adipiscing-elit "


def live_strips() -> int:
    """Rendered lines alive in this process (what the 2 GB was made of)."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Strip)


async def open_in(app, channel: str) -> None:
    conversations = app.console_screen.conversation_list
    await wait_until(lambda: channel in conversations.rows)
    conversations.select(channel)
    await wait_until(lambda: app.console_screen.channel == channel)


async def test_a_flood_into_the_open_conversation_keeps_rendered_lines_bounded(
        local_server, tmp_path):
    channel = "flood-support"
    customer = customer_client(local_server.origin, "flooder")
    count = MAX_KEPT_ENTRIES + 200
    try:
        await customer.add_channel_to_channel_group().channels([channel]) \
            .channel_group(GROUP).future()
        await customer.publish().channel(channel).message(customer_payload("first")).future()
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(app)
            await open_in(app, channel)
            transcript = app.console_screen.query_one(Transcript)
            await wait_until(lambda: "first" in transcript_text(app))
            before = live_strips()

            async def send(number: int) -> None:
                text = f"flood {number} " + FILLER * 150 + f"endof{number}"  # 8 KB: ~120 lines
                await customer.publish().channel(channel).message(customer_payload(text)) \
                    .use_post(True).future()

            for start in range(0, count, 50):
                await asyncio.gather(*(send(n) for n in range(start, min(start + 50, count))))
            conversation = app.console_screen.inbox.conversations[channel]
            last_batch = {f"flood {n}" for n in range(count - 50, count)}
            await wait_until(lambda: last_batch <= {" ".join(e.text.split(" ", 2)[:2])
                                                    for e in conversation.entries[-100:]},
                             timeout=60)
            newest = conversation.entries[-1].text.rsplit(" ", 1)[-1]
            await wait_until(lambda: newest in "".join(
                strip.text for strip in (transcript.render_line(y)
                                         for y in range(transcript.size.height))))
            assert len(conversation.entries) == MAX_KEPT_ENTRIES

            # lines by count, heights for what is kept: not 1,200 messages x 120 lines
            grown = live_strips() - before
            assert grown < 2 * MAX_CACHED_LINES, grown
            assert transcript.cached_lines <= MAX_CACHED_LINES + 4 * transcript.size.height
            assert transcript.measured_parts <= 2 * MAX_KEPT_ENTRIES

            # what is on screen is still the newest message, and older ones still draw
            transcript.scroll_to(y=0, animate=False)
            await pilot.pause()
            assert transcript.render_line(0).text.strip()
    finally:
        await customer.stop()


async def test_the_wire_view_previews_a_900_kb_meta_and_f7_shows_all_of_it(
        local_server, tmp_path):
    """900 KB metas, as an old history or another server may hold (this server, like
    PubNub, refuses them on publish): stored and delivered by hand."""
    channel = "meta-support"
    server = local_server.server
    server.keyset(SUBSCRIBE_KEY).add_to_group(GROUP, [channel])
    huge = {"blob": "m" * 900_000, "end": "END-OF-META"}
    for number in range(3):
        timetoken = server.clock.next()
        payload = customer_payload(f"with big meta {number}")
        server.persistence.store_message(SUBSCRIBE_KEY, StoredMessage(
            channel, timetoken, "metauser", payload, huge, None, None))
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(app)
        await open_in(app, channel)
        transcript = app.console_screen.query_one(Transcript)
        await wait_until(lambda: "with big meta 2" in transcript_text(app))
        await pilot.press("f2")
        await wait_until(lambda: transcript.raw_mode and "timetoken=" in transcript_text(app))
        shown = transcript_text(app)
        # a preview of each meta and how much more there is, not 13,000 lines each
        assert shown.count("KB more: F7 shows the whole message") == 3, f"{len(shown):,} shown"
        assert transcript.line_count < 3 * 80, transcript.line_count
        assert "END-OF-META" not in shown

        # a live one too, while the wire view is on
        timetoken = server.clock.next()
        server.keyset(SUBSCRIBE_KEY).append(Event(
            timetoken, channel, customer_payload("live big meta"), "metauser", huge, None))
        await wait_until(lambda: "live big meta" in transcript_text(app))
        assert transcript.line_count < 4 * 80

        # F7: the newest message on screen, whole; Left steps to the one before
        await pilot.press("f7")
        await wait_until(lambda: isinstance(app.screen, PayloadScreen))
        screen = app.screen
        assert screen.entry.text == "live big meta"
        view = screen.query_one(PayloadView)
        await pilot.pause()
        whole = "".join(view.rows)
        assert "m" * 900_000 in whole and "END-OF-META" in whole
        await pilot.press("end")
        await pilot.pause()
        bottom = "".join(view.render_line(y).text for y in range(view.size.height))
        assert "live big meta" in bottom  # the decoded text, last section
        await pilot.press("left")
        assert screen.entry.text == "with big meta 2"
        assert json.dumps(huge["end"]) in "".join(view.rows)
        await pilot.press("escape")
        await wait_until(lambda: app.screen is app.console_screen)
        assert app.is_running
