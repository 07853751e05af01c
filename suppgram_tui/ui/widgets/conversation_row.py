"""How one conversation looks in the sidebar: two lines, the facts an agent scans for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from suppgram_tui.inbox import Conversation
from suppgram_tui.model import ConversationState
from suppgram_tui.text import one_line

from ..formatting import waited


def render_row(view: Conversation, style: Callable[[str], Style], *, selected: bool,
               width: int, now: datetime, console: Console) -> tuple[Strip, Strip]:
    """Online dot, customer, unread badge, typing and wait; then preview, owner, tags.

    `style` looks up the list's component styles ("base" is the widget's own).
    """
    base = style("conversation-list--cursor" if selected else "base")
    dim = style("conversation-list--dim")
    bold = style("conversation-list--unread")
    online = style("conversation-list--online")
    badge = style("conversation-list--badge")

    first = Text(no_wrap=True, overflow="ellipsis", end="")
    first.append("● " if view.customer_online else "○ ",
                 online if view.customer_online else dim)
    name = one_line(view.customer_label or view.channel, 40)
    first.append(name, bold if view.unread else Style())
    if view.unread:
        first.append(" ")
        first.append(f" {view.unread} ", badge)
    wait = waited(view.waiting_since, now)
    right = Text(no_wrap=True, end="")
    if view.customer_typing:
        right.append("typing… ", dim)
    if wait:
        right.append(wait, dim)

    second = Text(no_wrap=True, overflow="ellipsis", end="")
    last = view.last_entry
    preview = one_line(last.text, 120) if last else ""
    second.append("  " + preview, dim)
    tags = "".join(f" #{one_line(tag, 20)}" for tag in view.tags)
    owner = f" @{one_line(view.assignee, 20)}" if view.assignee else ""
    if view.state is ConversationState.RESOLVED:
        owner = " ✓resolved"
    second_right = Text(owner + tags, no_wrap=True, end="", style=dim)
    return (two_sided_line(first, right, width, base, console),
            two_sided_line(second, second_right, width, base, console))


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
