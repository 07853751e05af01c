"""Messages per hour as a bar chart with its axes named: a sparkline alone says no
scale (is the tallest bar 2 messages or 200?) and no time (which end is now?)."""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label, Sparkline, Static

from suppgram_tui.inbox.durations import format_duration

from ..formatting import plural

Y_AXIS_WIDTH = 6
"""Cells left of the bars: the largest count and its tick (console.tcss: #volume-y)."""


UNITS = (("day", "d", 86_400), ("hour", "h", 3_600), ("minute", "m", 60))


def _whole(span: timedelta) -> tuple[int, str, str] | None:
    """`span` in the largest unit that counts it whole, but a day as 24 hours."""
    seconds = int(span.total_seconds())
    for name, letter, size in UNITS:
        if seconds >= size and seconds % size == 0 and not (name == "day" and seconds < 2 * size):
            return seconds // size, name, letter
    return None


def short(span: timedelta) -> str:
    """`24h`, `30m`: an axis label."""
    whole = _whole(span)
    return f"{whole[0]}{whole[2]}" if whole else format_duration(span)


def spoken(span: timedelta) -> str:
    """`24 hours`, `1 hour`, `30 minutes`: a duration in a sentence."""
    whole = _whole(span)
    return plural(whole[0], whole[1]) if whole else format_duration(span)


class TimeAxis(Widget):
    """Under the bars: when the first bucket starts, the middle, and now."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.span = timedelta(hours=24)

    def render(self) -> Content:
        width = self.content_size.width
        left = f"{short(self.span)} ago"
        middle = f"{short(self.span / 2)} ago"
        right = "now"
        line = [" "] * width
        if width >= len(left) + len(middle) + len(right) + 4:
            start = (width - len(middle)) // 2
            line[start:start + len(middle)] = middle
        if width >= len(left) + len(right) + 1:
            line[:len(left)] = left
        line[max(width - len(right), 0):] = right[:width]
        return Content("".join(line))


class VolumeChart(Vertical):
    """Chat messages (customers' and agents') per bucket, oldest bucket on the left."""

    def compose(self) -> ComposeResult:
        yield Label("Messages per hour", id="volume-label")
        with Horizontal(id="volume-row"):
            yield Static(id="volume-y")
            yield Sparkline([], id="volume")
        yield TimeAxis()

    def show(self, volume: tuple[int, ...], bucket: timedelta) -> None:
        peak, total = max(volume, default=0), sum(volume)
        span = bucket * len(volume)
        per = spoken(bucket).removeprefix("1 ")
        self.query_one("#volume-label", Label).update(Content(
            f"Messages per {per}, last {spoken(span)}: {plural(total, 'message')}, "
            f"at most {peak} in one {per}"))
        tick = str(peak).rjust(Y_AXIS_WIDTH - 2)
        bottom = "0".rjust(Y_AXIS_WIDTH - 2)
        self.query_one("#volume-y", Static).update(Content(f"{tick} ┤\n\n\n{bottom} ┤"))
        self.query_one(Sparkline).data = list(volume)
        axis = self.query_one(TimeAxis)
        axis.span = span
        axis.refresh()
