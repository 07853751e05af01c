"""The status line quotes outside text (agent name, errors, notes) visibly, never obeyed."""

from __future__ import annotations

from textual.app import App, ComposeResult

from suppgram_tui.inbox import InboxStatus
from suppgram_tui.inbox.group_fill import lost_channels_note
from suppgram_tui.model import ConnectionState
from suppgram_tui.ui.widgets.status_line import StatusLine


class OneLine(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(origin="LOCAL", agent="ann")


async def test_escapes_in_the_status_line_are_shown_not_sent() -> None:
    app = OneLine()
    async with app.run_test(size=(200, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.agent = "ann\x1b]0;pwned\x07"
        line.show(InboxStatus(ConnectionState.RECONNECTING, "cannot reach x\x1b[2J\ny",
                              0, ("note\x1b[5m",), {"support": 1}, 2000))
        await pilot.pause()
        text = str(line.render())
        assert "\x1b" not in text and "\x07" not in text and "\n" not in text, repr(text)
        assert "␛]0;pwned" in text and "cannot reach x␛[2J y" in text and "note␛[5m" in text


async def test_at_80_columns_a_lost_group_is_said_before_where_and_who() -> None:
    """The warning used to come last and was cut off at 80 columns, after a count that
    still said 5 channels."""
    app = OneLine()
    async with app.run_test(size=(80, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.show(InboxStatus(ConnectionState.CONNECTED, "", 0,
                              (lost_channels_note("support"),), {"support": 0}, 2000))
        await pilot.pause()
        shown = "".join(strip.text for strip in line.render_lines(line.region.reset_offset))
        assert shown.startswith("● connected │ ⚠ no customer message can arrive: group "
                                "support lost"), shown


async def test_what_does_not_fit_is_left_out_whole_not_cut_mid_phrase() -> None:
    """A new user at 80 columns read "agent ann │ support:" (the count cut off) and
    "cannot reach 127.0.0.1:8090 (connection" (no reason). Parts that do not fit are
    left out whole; the state is said shorter, so the reason fits."""
    app = OneLine()
    async with app.run_test(size=(80, 3)) as pilot:
        line = app.query_one(StatusLine)
        line.origin = "LOCAL 127.0.0.1:8090 · keyset sub-c-local"
        line.show(InboxStatus(ConnectionState.CONNECTED, "", 0, (), {"support": 5}, 2000))
        await pilot.pause()

        def shown() -> str:
            return "".join(strip.text for strip in
                           line.render_lines(line.region.reset_offset)).rstrip()

        assert shown() == "● connected │ LOCAL 127.0.0.1:8090 · keyset sub-c-local │ agent ann"
        await pilot.resize_terminal(120, 3)
        await pilot.pause()
        assert shown().endswith("│ agent ann │ support: 5/2000 channels"), shown()
        await pilot.resize_terminal(80, 3)
        line.show(InboxStatus(ConnectionState.RECONNECTING,
                              "cannot reach 127.0.0.1:8090 (connection refused)", 1, (),
                              {"support": 5}, 2000))
        await pilot.pause()
        assert shown() == ("◌ reconnecting (1 pending) │ cannot reach "
                           "127.0.0.1:8090 (connection refused)"), shown()
        await pilot.resize_terminal(120, 3)
        await pilot.pause()
        assert shown() == ("◌ reconnecting with 1 pending reply │ cannot reach "
                           "127.0.0.1:8090 (connection refused) │ agent ann"), shown()
