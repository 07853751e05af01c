"""How one conversation looks in the sidebar: two lines, the facts an agent scans for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from suppgram_tui.inbox import Conversation
from suppgram_tui.model import ConversationState
from suppgram_tui.text import one_line

from ..formatting import waited

Piece = tuple[str, Style | None]
"""A run of text in one style (None: the line's own)."""


def render_row(view: Conversation, style: Callable[[str], Style], *, selected: bool,
               width: int, now: datetime, console: Console) -> tuple[Strip, Strip]:
    """Online dot, customer, unread badge, typing and wait; then preview, owner, tags.

    `style` looks up the list's component styles ("base" is the widget's own). Drawn
    as segments, without Rich's `Text`: under load a frame draws every row that moved,
    and Text's spans, truncation and render were most of a row's cost.
    """
    base = style("conversation-list--cursor" if selected else "base")
    dim = style("conversation-list--dim")

    name = one_line(view.customer_label or view.channel, 40)
    first: list[Piece] = [("● " if view.customer_online else "○ ",
                           style("conversation-list--online") if view.customer_online
                           else dim),
                          (name, style("conversation-list--unread") if view.unread else None)]
    badge: list[Piece] = []
    if view.unread:  # kept whole: a long customer id is cut before it, never the count
        badge = [(" ", None), (f" {view.unread} ", style("conversation-list--badge"))]
    right: list[Piece] = []
    if view.customer_typing:
        right.append(("typing… ", dim))
    if wait := waited(view.waiting_since, now):
        right.append((wait, dim))

    last = view.last_entry
    preview = one_line(last.text, 120) if last else ""
    tags = "".join(f" #{one_line(tag, 20)}" for tag in view.tags)
    owner = f" @{one_line(view.assignee, 20)}" if view.assignee else ""
    if view.state is ConversationState.RESOLVED:
        owner = " ✓resolved"
    return (two_sided(first, right, width, base, kept=badge),
            two_sided([("  " + preview, dim)], [(owner + tags, dim)], width, base))


def two_sided(left: list[Piece], right: list[Piece], width: int, style: Style, *,
              kept: list[Piece] | None = None) -> Strip:
    """`left` cut to fit (with an ellipsis), then `kept` whole (while it fits at all),
    `right` flush right, all on `style`: the same cells and styles as `two_sided_line`
    with `Text`s of those pieces."""
    right_cells = sum(cell_len(text) for text, _ in right)
    right_width = min(right_cells, max(width // 2, 0))
    left_width = max(width - right_width - 1, 0)
    kept_cells = sum(cell_len(text) for text, _ in kept or [])
    if kept and kept_cells < left_width:
        segments = _fitted(left, left_width - kept_cells, style, pad=False)
        segments += _fitted(kept, kept_cells, style, pad=False)
        drawn = sum(segment.cell_length for segment in segments)
        if drawn < left_width:
            segments.append(Segment(" " * (left_width - drawn), style))
    else:
        segments = _fitted(left + (kept or []), left_width, style, pad=True)
    segments.append(Segment(" ", style))
    segments += _fitted(right, right_width, style, pad=False)
    return Strip(segments).adjust_cell_length(width, style)


def _fitted(pieces: list[Piece], width: int, style: Style, *, pad: bool) -> list[Segment]:
    """As Rich's `Text.truncate(width, overflow="ellipsis", pad=pad)`: the text cut to
    `width - 1` cells and an ellipsis when longer, each character in its piece's style."""
    pieces = [(strip_control_codes(text), piece_style) for text, piece_style in pieces]
    plain = "".join(text for text, _ in pieces)
    length = cell_len(plain)
    kept = set_cell_size(plain, width - 1) + "…" if length > width else plain
    segments: list[Segment] = []
    start = 0
    for text, piece_style in pieces:
        end = start + len(text)
        if part := kept[start:end]:
            segments.append(Segment(part, style + piece_style if piece_style else style))
        start = end
    if pad and length < width:
        segments.append(Segment(" " * (width - length), style))
    return segments


def two_sided_line(left: Text, right: Text, width: int, style: Style, console: Console) -> Strip:
    """`left` cut to fit, `right` flush right, all on `style`."""
    right_width = min(right.cell_len, max(width // 2, 0))
    left_width = max(width - right_width - 1, 0)
    left.truncate(left_width, overflow="ellipsis", pad=True)
    right.truncate(right_width, overflow="ellipsis")
    line = Text(end="")
    line.append_text(left)
    line.append(" ")
    line.append_text(right)
    line.truncate(width, pad=True)
    segments = [Segment(s.text, style + s.style if s.style else style)
                for s in line.render(console)]
    return Strip(segments, width).adjust_cell_length(width, style)
