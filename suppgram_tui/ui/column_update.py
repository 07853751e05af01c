"""Repaint the screen's dirty regions column by column, not their bounding box.

Textual's compositor answers a partial update by asking every widget that overlaps the
bounding box of all dirty regions for its lines: a changed row at the top of the sidebar
and a new line at the bottom of the transcript make it render the tabs, search box,
header, status line, composer and key bar in between (~45% of a frame's CPU under
load). Here the dirty regions are grouped into columns whose x ranges do not overlap
(the sidebar and the main pane, as a rule), each column is rendered on its own with
only the widgets that overlap it, and the results are put together into the same update
Textual would write. A region as wide as both columns (the status line, say) joins them
into one column: the same work as Textual's own path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


def columns_of(regions: Iterable[Region]) -> list[list[Region]]:
    """The regions grouped so that no two groups overlap in x, left to right."""
    columns: list[list[Region]] = []
    right = -1
    for region in sorted(regions, key=lambda region: region.x):
        if columns and region.x < right:
            columns[-1].append(region)
            right = max(right, region.right)
        else:
            columns.append([region])
            right = region.right
    return columns


class ColumnCompositor(Compositor):
    """A compositor whose partial updates render each column of dirty regions apart."""

    def render_partial_update(self) -> ChopsUpdate | None:
        screen_region = self.size.region
        update_regions = self._dirty_regions.copy()
        if not update_regions:
            return None
        columns = columns_of(update_regions)
        if len(columns) == 1:
            return super().render_partial_update()
        self._dirty_regions.clear()
        cuts = self.cuts
        chop_ends = [cut_set[1:] for cut_set in cuts]
        merged: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        for column in columns:
            crop = Region.from_union(column).intersection(screen_region)
            if not crop:
                continue
            spans = list(self._regions_to_spans(column))
            chops = self._render_chops(crop, {y for y, _, _ in spans}.__contains__)
            _take_spans(merged, chops, spans, chop_ends)
        all_spans = list(self._regions_to_spans(update_regions))
        if not all_spans:
            return None
        return ChopsUpdate(merged, all_spans, chop_ends)


def _take_spans(merged: list[dict[int, Strip | None]], chops: Sequence[Mapping[int, Strip]],
                spans: list[tuple[int, int, int]], chop_ends: list[list[int]]) -> None:
    """Copy the chops that meet `spans`: only those were rendered with every widget over
    them (a column's pass leaves out the widgets of the other columns)."""
    for y, x1, x2 in spans:
        line, target = chops[y], merged[y]
        for end, (x, strip) in zip(chop_ends[y], line.items(), strict=False):
            if strip is not None and x < x2 and end > x1:
                target[x] = strip


def use_column_updates(screen: object) -> None:
    """Give `screen` (a Textual Screen, before it is mounted) the column compositor."""
    screen._compositor = ColumnCompositor()  # type: ignore[attr-defined]
