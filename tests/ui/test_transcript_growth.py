"""A message into an open conversation that already scrolls grows the pane without a
screen layout (Transcript._grow): the new lines are drawn at the bottom, the scrollbar
knows the new length, and a conversation that starts to scroll still gets its
scrollbar (a layout)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from suppgram_tui.inbox import Conversation
from suppgram_tui.ui.widgets.transcript import Transcript
from tests.ui.test_transcript_layout import CHANNEL, entry


class PaneAndFooter(App[None]):
    CSS = "Transcript { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Transcript(support_user="support")
        yield Static("footer")


def screen_text(app: App[None]) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def test_a_scrolling_transcript_grows_without_a_screen_layout() -> None:
    conversation = Conversation(CHANNEL)
    conversation.add(entry(1))
    async with PaneAndFooter().run_test(size=(80, 20)) as pilot:
        app, transcript = pilot.app, pilot.app.query_one(Transcript)
        screen = app.screen
        layouts: list[bool] = []
        refresh_layout = screen._refresh_layout

        def counted(*args: object, **kwargs: object) -> None:
            layouts.append(bool(kwargs.get("scroll")))
            refresh_layout(*args, **kwargs)  # type: ignore[arg-type]
        screen._refresh_layout = counted  # type: ignore[method-assign]
        transcript.show(conversation)
        await pilot.pause()
        assert not transcript.show_vertical_scrollbar
        number = 1
        while not transcript.show_vertical_scrollbar:  # starts to scroll: laid out
            number += 1
            conversation.add(entry(number))
            transcript.entries_changed()
            await pilot.pause()
        assert layouts, "the scrollbar came without a layout"
        for _ in range(3):  # the scrollbar's own layout and repaint settle first
            await pilot.pause()
        for _ in range(5):
            layouts.clear()
            number += 1
            conversation.add(entry(number))
            transcript.entries_changed()
            assert transcript.scroll_y == transcript.max_scroll_y  # in this frame, not the next
            await pilot.pause()
            await pilot.pause()
            assert layouts == []  # grew, scrolled and drew without a layout
            assert transcript.scroll_y == transcript.max_scroll_y  # the newest shows
            assert transcript.vertical_scrollbar.window_virtual_size == \
                transcript.line_count
            text = screen_text(app)
            assert f"message {number}" in "\n".join(text[:-1]) and text[-1] == "footer"
        transcript.scroll_to(y=0, animate=False)  # the agent reads back: the pane stays
        await pilot.pause()
        number += 1
        conversation.add(entry(number))
        transcript.entries_changed()
        await pilot.pause()
        assert transcript.scroll_y == 0 and "message 1" in "\n".join(screen_text(app))


class PaneWithTrack(PaneAndFooter):
    CSS = "Transcript { height: 1fr; overflow-y: scroll; }"  # as the console has it


async def test_a_pane_at_its_newest_message_stays_there_through_the_wire_view() -> None:
    """With the scrollbar track always there, nothing lays the screen out when F2 makes
    every message taller: the pane scrolls to the end itself, as an anchored one would
    through a layout, unless the agent has scrolled up."""
    conversation = Conversation(CHANNEL)
    for number in range(1, 30):
        conversation.add(entry(number))
    async with PaneWithTrack().run_test(size=(80, 20)) as pilot:
        transcript = pilot.app.query_one(Transcript)
        transcript.show(conversation)
        await pilot.pause()
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        transcript.raw_mode = True
        await pilot.pause()
        assert transcript.scroll_y == transcript.max_scroll_y  # still at the newest
        assert "message 29" in "\n".join(screen_text(pilot.app))
        transcript.raw_mode = False
        await pilot.pause()
        middle = transcript.line_count // 2  # the agent reads back, to a message's top
        start = max(at for at in transcript._starts if at <= middle)
        transcript.scroll_to(y=start, animate=False)
        await pilot.pause()
        top = screen_text(pilot.app)[0]
        assert top.strip(), "the test scrolled to a blank line"
        for raw in (True, False):  # F2 and back: the same message stays at the top
            transcript.raw_mode = raw
            await pilot.pause()
            assert screen_text(pilot.app)[0] == top
