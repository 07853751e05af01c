"""Tables show outside text as text (issue 11, item 4).

`DataTable` reads a `str` cell as Textual markup: an agent name or a payload holding
`[@click=app.quit]` would become a clickable action, and `[b]` a style. Both tables that
show outside text (F3's agents, the workbench's wire records) must show it literally.
"""

from __future__ import annotations

from datetime import datetime, timezone

from textual.widgets import DataTable

from suppgram_tui.ui.screens.stats import StatsScreen
from tests.helpers.console_harness import console_app, open_simulator, wait_ready
from tests.helpers.inbox_harness import GROUP, customer_client, customer_payload
from tests.helpers.wait import wait_until

HOSTILE = "[@click=app.quit]mallory[/] [b]bold[/b]"


def table_text(table: DataTable) -> str:
    """What the table draws, cell by cell, as plain text."""
    return "\n".join(
        " | ".join(line.plain if hasattr(line, "plain") else str(line)
                   for line in table._get_row_renderables(row).cells)
        for row in range(table.row_count))


async def test_an_agent_name_in_the_statistics_is_shown_not_obeyed(local_server, tmp_path):
    customer = customer_client(local_server.origin, "dana")
    support = customer_client(local_server.origin, "support")
    channel = "dana-support"
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP) \
        .future()
    await customer.publish().channel(channel).message(customer_payload("hi")).future()
    reply = {"kind": "from_agent", "text": "hello",
             "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f%z")}
    await support.publish().channel(channel).message(reply).meta({"agent": HOSTILE}).future()
    app = console_app(local_server.origin, tmp_path / "ann.json")
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_ready(app)
            await wait_until(lambda: len(app.console_screen.inbox.conversations[channel]
                                         .entries) >= 2 if channel in
                             app.console_screen.inbox.conversations else False)
            await pilot.press("f3")
            await wait_until(lambda: isinstance(app.screen, StatsScreen))
            await pilot.pause()
            agents = app.screen.query_one("#agents-table", DataTable)
            shown = table_text(agents)
            assert HOSTILE in shown, shown  # markup would have eaten the tags
            assert app.is_running
    finally:
        await customer.stop()
        await support.stop()


async def test_a_payload_in_the_wire_inspector_is_shown_not_obeyed(local_server, tmp_path):
    app = console_app(local_server.origin, tmp_path / "ann.json")
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(app)
        screen = await open_simulator(app, pilot)
        await pilot.press("ctrl+e")  # raw JSON, so the hostile text leads the JSON column
        await pilot.press(*'{"t": "[@click=app.quit]mallory[/]"}', "enter")
        await wait_until(lambda: len(screen.simulation.records) >= 1)
        await pilot.pause()
        records = screen.query_one("#sim-records", DataTable)
        await wait_until(lambda: records.row_count >= 1)
        shown = table_text(records)
        assert "[@click=app.quit]mallory[/]" in shown, shown
        assert app.is_running
