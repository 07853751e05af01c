"""Support statistics computed from the loaded history, not from a separate log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from suppgram_tui.inbox import Inbox
from suppgram_tui.inbox.durations import format_duration
from suppgram_tui.inbox.stats import SupportStats, compute_stats
from suppgram_tui.text import one_line
from suppgram_tui.timetokens import from_datetime

from ..formatting import plural
from ..widgets.key_bar import KeyBar
from ..widgets.volume_chart import VolumeChart


class StatsScreen(Screen[None]):
    """Conversations by state, response and resolution times, CSAT, volume."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "app.pop_screen", "Back"),
        Binding("r", "recompute", "Refresh"),
    ]

    def __init__(self, inbox: Inbox, *, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.inbox = inbox
        self.clock = clock

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats"):
            yield Static(id="stats-title")
            yield DataTable(id="stats-table", show_cursor=False, zebra_stripes=True)
            yield VolumeChart(id="volume-box")
            yield DataTable(id="agents-table", show_cursor=False)
        yield KeyBar(priority=("pop_screen", "recompute", "toggle_help", "quit"))

    def on_mount(self) -> None:
        self.action_recompute()

    def action_recompute(self) -> None:
        stats = compute_stats(self.inbox.conversations, now=from_datetime(self.clock()))
        self._show(stats)

    def _show(self, stats: SupportStats) -> None:
        self.query_one("#stats-title", Static).update(Content(
            f"Statistics for {plural(len(self.inbox.conversations), 'conversation')} "
            f"(from loaded history)"))
        table = self.query_one("#stats-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Measure", "Value")
        by_state = stats.conversations_by_state
        rows = [(f"Conversations {state.value}", str(count)) for state, count in by_state.items()]
        rows += [
            ("Awaiting first response", str(stats.awaiting_first_response)),
            ("First response, median", format_duration(stats.first_response_median)),
            ("First response, p90", format_duration(stats.first_response_p90)),
            ("Resolution, median", format_duration(stats.resolution_median)),
            ("Resolution, p90", format_duration(stats.resolution_p90)),
            ("CSAT average", f"{stats.csat_average:.2f} of 5 ({plural(stats.csat_count, 'rating')})"
             if stats.csat_average is not None else "no ratings yet"),
            ("CSAT distribution", "  ".join(f"{k}★ {v}" for k, v in
                                            stats.csat_distribution.items())),
        ]
        if stats.csat_invalid:
            rows.append(("Unreadable ratings", str(stats.csat_invalid)))
        for measure, value in rows:
            table.add_row(Text(measure), Text(value))
        self.query_one(VolumeChart).show(stats.message_volume, stats.volume_bucket_width)
        agents = self.query_one("#agents-table", DataTable)
        agents.clear(columns=True)
        agents.add_columns("Agent", "Replies")
        for agent, count in stats.replies_by_agent.items():
            agents.add_row(Text(one_line(agent, 40)), str(count))  # a name, never markup
