"""Issue 12, item 26: the status line and the statistics say what their numbers count.

"support 5/2000" was never explained, one conversation read "1 conversations", one
rating "(1 ratings)", and the volume chart had neither a scale nor a time axis.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Label, Static

from suppgram_tui.ui.screens.stats import StatsScreen
from suppgram_tui.ui.widgets.status_line import StatusLine
from suppgram_tui.ui.widgets.volume_chart import TimeAxis
from tests.helpers.console_harness import console_app, wait_ready
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until


def cells(table: DataTable) -> list[str]:
    return [cell.plain if isinstance(cell, Text) else str(cell)
            for row in range(table.row_count) for cell in table.get_row_at(row)]


async def test_one_conversation_one_rating_and_the_chart_axes(local_server, tmp_path):
    dana = customer_client(local_server.origin, "dana")
    try:
        await words_on_screen(local_server, tmp_path, dana)
    finally:
        await dana.stop()


async def words_on_screen(local_server, tmp_path, dana) -> None:
    await open_conversation(dana, "dana-support", "my parcel is late")
    await dana.publish().channel("dana-support").message(
        customer_payload("5 quick and kind", kind="rated")).future()
    # the real clock: the chart covers the 24 hours before now, where dana wrote
    app = console_app(local_server.origin, tmp_path / "ann.json", hermetic=False)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await wait_ready(app)
        inbox = screen.inbox
        await wait_until(lambda: "dana-support" in inbox.conversations
                         and len(inbox.conversations["dana-support"].entries) == 2)

        status = screen.query_one(StatusLine)
        await wait_until(lambda: "support: 1/2000 channels" in str(status.render()))
        assert "Channel group support holds 1 of the 2000 customer channels" in \
            str(status.tooltip), status.tooltip

        await pilot.press("f3")
        stats = await wait_until(lambda: app.screen if isinstance(app.screen, StatsScreen)
                                 else None)
        await pilot.pause()
        title = str(stats.query_one("#stats-title", Static).render())
        assert title.startswith("Statistics for 1 conversation "), title
        shown = cells(stats.query_one("#stats-table", DataTable))
        assert "5.00 of 5 (1 rating)" in shown, shown

        label = str(stats.query_one("#volume-label", Label).render())
        assert label == ("Messages per hour, last 24 hours: 1 message, at most 1 in one "
                         "hour"), label
        scale = str(stats.query_one("#volume-y", Static).render()).splitlines()
        assert scale[0].split() == ["1", "┤"] and scale[-1].split() == ["0", "┤"], scale
        axis = str(stats.query_one(TimeAxis).render())
        assert axis.startswith("24h ago") and axis.rstrip().endswith("now") \
            and "12h ago" in axis, repr(axis)
