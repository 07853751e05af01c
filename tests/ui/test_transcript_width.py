"""Wrapped lines keep every character once the transcript needs a scrollbar.

Laid out one column narrower than the pane but drawn beside a two-column scrollbar, each
wrapped line lost its last character ("w1" for "w12"), in the simulator's chat and the
console's F2 view (found by hand at 80 and 120 columns).
"""

from __future__ import annotations

import re

from textual.app import App, ComposeResult

from suppgram_tui.inbox import Author, Conversation, Entry
from suppgram_tui.ui.widgets.transcript import Transcript
from tests.helpers.screen_checks import screen_text

LONG = " ".join(f"w{i:02d}" for i in range(1, 61)) + " END"


class OneTranscript(App[None]):
    CSS = "Transcript { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Transcript(support_user="support")


async def test_every_word_of_a_wrapped_message_is_on_screen_beside_the_scrollbar():
    conversation = Conversation("dana-support")
    for i, text in enumerate([*(f"line {n}" for n in range(20)), LONG]):
        conversation.add(Entry("dana-support", 17_000_000_000_000_000 + i, "dana",
                               {"text": text}, Author.CUSTOMER, error="raw"))
    app = OneTranscript()
    async with app.run_test(size=(60, 20)) as pilot:
        transcript = app.query_one(Transcript)
        transcript.show(conversation)
        await pilot.pause(0.3)
        assert transcript.max_scroll_y > 0  # the scrollbar is there
        words = re.findall(r"\bw\d\d\b", screen_text(app))
        assert words[-60:] == [f"w{i:02d}" for i in range(1, 61)], screen_text(app)
