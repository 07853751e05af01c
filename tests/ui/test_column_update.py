"""The console repaints the sidebar and the pane apart (ui/column_update.py): what the
terminal ends up showing, update after update, is what a full repaint draws."""

from __future__ import annotations

import asyncio

import pyte
import pytest
from textual.geometry import Region

from suppgram_tui.ui import column_update
from suppgram_tui.ui.column_update import ColumnCompositor, columns_of
from tests.helpers.console_harness import console_app, transcript_text, wait_ready
from tests.helpers.inbox_harness import customer_client, customer_payload, open_conversation
from tests.helpers.wait import wait_until

WIDTH, HEIGHT = 120, 30


def test_regions_group_into_columns_that_do_not_overlap() -> None:
    row, line, header = Region(0, 3, 40, 1), Region(42, 20, 70, 1), Region(42, 1, 70, 2)
    assert columns_of([line, row, header]) == [[row], [line, header]]
    status = Region(0, 0, 120, 1)  # as wide as both: one column, Textual's own path
    assert len(columns_of([row, line, status])) == 1


async def test_the_terminal_shows_what_a_full_repaint_draws(local_server, tmp_path) -> None:
    customers = [customer_client(local_server.origin, f"col{n}") for n in range(3)]
    try:
        for number, customer in enumerate(customers):
            await open_conversation(customer, f"col{number}-support", f"hello {number}")
        app = console_app(local_server.origin, tmp_path / "ann.json")
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            screen = await wait_ready(app)
            assert isinstance(screen._compositor, ColumnCompositor)
            await wait_until(lambda: screen.channel is not None and "hello" in
                             transcript_text(app))
            await pilot.press("enter")
            await asyncio.sleep(0.3)
            await pilot.pause()
            terminal = pyte.Screen(WIDTH, HEIGHT)
            stream = pyte.Stream(terminal)
            stream.feed(screen._compositor.render_update(full=True)
                        .render_segments(app.console))
            split = 0

            def counted(regions):  # type: ignore[no-untyped-def]
                nonlocal split
                columns = columns_of(regions)
                split += len(columns) > 1
                return columns

            def display(on_screen, update) -> None:  # type: ignore[no-untyped-def]
                if update is not None:  # what the driver would write to the terminal
                    stream.feed(update.render_segments(app.console))

            app._display = display  # type: ignore[method-assign]
            column_update.columns_of = counted  # type: ignore[assignment]
            try:
                for round_ in range(6):  # the open one (its pane) and the others (rows)
                    for number, customer in enumerate(customers):
                        await customer.publish().channel(f"col{number}-support") \
                            .message(customer_payload(f"news {round_}.{number}")).future()
                    expected = f"news {round_}."
                    await wait_until(lambda: expected in transcript_text(app))  # noqa: B023
                    await asyncio.sleep(0.15)
                await asyncio.sleep(0.3)
                await pilot.pause()
            finally:
                column_update.columns_of = columns_of  # type: ignore[assignment]
            full = [strip.text for strip in screen._compositor.render_strips()]
            assert [line.rstrip() for line in terminal.display] == \
                [line.rstrip() for line in full]
            assert split, "no update had regions in both columns: the test saw nothing"
    finally:
        for customer in customers:
            await customer.stop()


@pytest.fixture(autouse=True)
def _restore_columns() -> None:
    column_update.columns_of = columns_of  # type: ignore[assignment]
