"""The converter workbench's wire log: every message sent and received, one row each,
and the highlighted one in full (Message, JSON, envelope, what the converter read)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from suppgram_tui.simulator.wire_log import WireRecord
from suppgram_tui.text import one_line

from ..inspector import describe, kind_word


class WireInspector(Vertical):
    """Follows the newest record; arrow keys in the table show older ones."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._records: dict[str, WireRecord] = {}
        """The table's rows by their key."""

    def compose(self) -> ComposeResult:
        yield DataTable(id="sim-records", cursor_type="row", zebra_stripes=True)
        yield Static(id="sim-detail")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "what", "check", "customer", "JSON")

    def add(self, record: WireRecord) -> None:
        table = self.query_one(DataTable)
        key = str(table.row_count + 1)
        # DataTable reads a str cell as markup: a payload or user id is data, so Text
        table.add_row(key, kind_word(record), Text(record.status),
                      Text(one_line(record.customer, 16)),
                      Text(one_line(record.payload_json, 60)), key=key)
        self._records[key] = record
        table.move_cursor(row=table.row_count - 1)
        self.call_after_refresh(self._show_cursor)  # once the new row has its height

    def on_show(self) -> None:
        """Shown by F2 (under 100 columns): rows added while hidden were not scrolled."""
        self.call_after_refresh(self._show_cursor)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_cursor)

    def _show_cursor(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count and table.size.height:
            table.move_cursor(row=table.cursor_row, animate=False)

    @property
    def selected(self) -> WireRecord | None:
        """The record the table's cursor is on (the newest unless the agent moved)."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self._records.get(str(row_key.value))

    @on(DataTable.RowHighlighted)
    def show_record(self, event: DataTable.RowHighlighted) -> None:
        record = self._records.get(str(event.row_key.value))
        if record is not None:
            self.query_one("#sim-detail", Static).update(Content(describe(record)))
