"""A message added to the open conversation lays out only itself (and the oldest ones
the conversation forgets go): the result is the full layout's, line for line."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.app import App, ComposeResult

from suppgram_tui.inbox import Author, Conversation, Entry
from suppgram_tui.inbox.conversation import MAX_KEPT_ENTRIES
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.ui.widgets.transcript import Transcript
from suppgram_tui.ui.widgets.transcript_layout import LaidOut

CHANNEL = "layout-support"


def entry(number: int) -> Entry:
    author = Author.ME if number % 3 == 0 else Author.CUSTOMER
    text = f"message {number} " + "words that wrap " * (number % 7)
    kind = MessageKind.FROM_AGENT if author is Author.ME else MessageKind.FROM_CUSTOMER
    return Entry(channel=CHANNEL, timetoken=17_000_000_000_000_000 + number * 10_000,
                 publisher="support" if author is Author.ME else "cust", payload={},
                 author=author, message=Message(kind, datetime.now(timezone.utc), text))


class OneTranscript(App[None]):
    def compose(self) -> ComposeResult:
        yield Transcript(support_user="support")


def full_layout(transcript: Transcript) -> tuple[list[object], list[int], int, str]:
    transcript._laid = LaidOut(None)
    transcript._relayout(follow=False)
    return ([key for _, _, key in transcript._parts], transcript._starts,
            transcript.line_count, transcript.plain_text())


def layout(transcript: Transcript) -> tuple[list[object], list[int], int, str]:
    return ([key for _, _, key in transcript._parts], list(transcript._starts),
            transcript.line_count, transcript.plain_text())


async def test_appending_and_forgetting_lays_out_as_a_full_layout_does() -> None:
    conversation = Conversation(CHANNEL)
    for number in range(40):
        conversation.add(entry(number))
    async with OneTranscript().run_test(size=(80, 30)) as pilot:
        transcript = pilot.app.query_one(Transcript)
        for new_after in (None, conversation.entries[-3].timetoken):
            transcript.show(conversation, new_after=new_after)
            await pilot.pause()
            number = 1000 if new_after is None else 5000
            for step in range(5):  # a few at a time, as a flush brings them
                for _ in range(step + 1):
                    number += 1
                    conversation.add(entry(number))
                reused = transcript._laid
                transcript.entries_changed()
                assert transcript._laid is reused  # laid out only what was added
                incremental = layout(transcript)
                assert incremental == full_layout(transcript)
        # a full conversation forgets its oldest with each new message
        transcript.show(conversation, new_after=None)
        while len(conversation.entries) < MAX_KEPT_ENTRIES:
            number += 1
            conversation.add(entry(number))
        transcript.entries_changed()
        for _ in range(3):
            number += 1
            conversation.add(entry(number))
            assert len(conversation.entries) == MAX_KEPT_ENTRIES
            reused = transcript._laid
            transcript.entries_changed()
            assert transcript._laid is reused
            assert layout(transcript) == full_layout(transcript)


async def test_a_changed_entry_lays_out_everything_again() -> None:
    conversation = Conversation(CHANNEL)
    for number in range(10):
        conversation.add(entry(number))
    async with OneTranscript().run_test(size=(80, 30)) as pilot:
        transcript = pilot.app.query_one(Transcript)
        transcript.show(conversation)
        await pilot.pause()
        reused = transcript._laid
        conversation.entries[4].revision += 1  # an edit applied
        transcript.entries_changed()
        assert transcript._laid is not reused
        assert layout(transcript) == full_layout(transcript)


def label(reply: Entry) -> str:
    """"message 27": how the entry's text begins, before it wraps."""
    assert reply.message is not None
    return " ".join(reply.message.text.split()[:2])


async def test_the_customers_read_line_moves_with_their_read_position() -> None:
    """The Chat SDK's "✓ read by" line sits under the newest reply the customer read:
    appending keeps it, a read position that moves lays everything out again."""
    conversation = Conversation(CHANNEL)
    for number in range(30):
        conversation.add(entry(number))
    conversation.customer_name = "Hana"
    replies = [e for e in conversation.entries if e.author is Author.ME]
    conversation.customer_read = replies[-3].timetoken
    async with OneTranscript().run_test(size=(80, 30)) as pilot:
        transcript = pilot.app.query_one(Transcript)
        transcript.show(conversation, new_after=None)
        await pilot.pause()
        text = transcript.plain_text()
        assert text.count("✓ read by Hana") == 1
        assert text.index(label(replies[-3])) < text.index("✓ read by Hana") \
            < text.index(label(replies[-2]))
        conversation.add(entry(31))  # a customer message: the line stays where it was
        reused = transcript._laid
        transcript.entries_changed()
        assert transcript._laid is reused and layout(transcript) == full_layout(transcript)
        conversation.customer_read = replies[-1].timetoken
        transcript.entries_changed()
        assert transcript._laid is not reused
        assert layout(transcript) == full_layout(transcript)
        text = transcript.plain_text()
        assert text.count("✓ read by Hana") == 1
        assert text.index(label(replies[-1])) < text.index("✓ read by Hana")
