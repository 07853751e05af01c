"""Who the open conversation is with, and who is handling it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from suppgram_tui.inbox import Conversation
from suppgram_tui.text import one_line


class ConversationHeader(Static):
    """Customer, channel, state, assignee, tags, presence and other viewers."""

    NOTHING_OPEN = "No conversation open: customers appear on the left when they write."

    def show(self, view: Conversation | None) -> None:
        if view is None:
            self.update(Content(self.NOTHING_OPEN), layout=False)
            return
        online = "● online" if view.customer_online else "○ offline"
        parts = [one_line(view.customer_id or "customer", 60), one_line(view.channel, 60),
                 view.state.value, f"@{one_line(view.assignee, 30)}" if view.assignee
                 else "unassigned", online]
        if view.tags:
            parts.append(" ".join(f"#{one_line(tag, 20)}" for tag in view.tags))
        if view.customer_typing:
            parts.append("typing…")
        if view.viewers:
            names = ", ".join(sorted(one_line(name, 20) for name in view.viewers))
            parts.append(f"{names} {'is' if len(view.viewers) == 1 else 'are'} viewing")
        # one line tall whatever it says (console.tcss): a repaint, never a screen layout,
        # which would redraw every pane on each message into the open conversation
        self.update(Content(" · ".join(parts)), layout=False)
