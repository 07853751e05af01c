"""The console's keys: what the footer, the help panel and the command palette show.

Every action works from the keyboard whichever pane has focus, hence `priority`. A
`Command` is also a palette row, so its words and key are written once.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ..commands import Command, PaletteRow

CONSOLE_BINDINGS: list[BindingType] = [
    Command("ctrl+g", "claim", "Claim", priority=True, title="Claim conversation",
            explanation="Assign the open conversation to me"),
    Command("ctrl+o", "hand_over", "Hand over", priority=True,
            title="Hand over conversation",
            explanation="Give the open conversation to another agent"),
    Command("ctrl+b", "postpone", "Postpone", priority=True, title="Postpone conversation",
            explanation="Put it back in the queue and tell the customer"),
    Command("ctrl+r", "resolve", "Resolve", priority=True, title="Resolve conversation",
            explanation="Close it and tell the customer"),
    Command("ctrl+t", "tag", "Tag", priority=True, title="Tag conversation",
            explanation="Set the open conversation's tags"),
    Command("ctrl+n", "next_unread", "Unread", priority=True,
            title="Next unread conversation",
            explanation="Jump to the next conversation with news"),
    Binding("alt+up,ctrl+up", "step(-1)", "Prev", priority=True),
    Binding("alt+down,ctrl+down", "step(1)", "Next", priority=True),
    Command("ctrl+f", "search", "Search", priority=True, title="Search conversations",
            explanation="Filter the list by text"),
    Command("f2", "toggle_raw", "Raw", title="Toggle raw wire view",
            explanation="Show each message's JSON and envelope"),
    Command("f6", "inspect", "Inspect", show=False, title="Inspect whole message",
            explanation="The newest message on screen in full: envelope, meta, JSON"),
    Command("f3", "app.stats", "Stats", title="Show statistics",
            explanation="Response and resolution times, CSAT, volume"),
    Command("f4", "app.simulator", "Simulator", title="Open customer simulator",
            explanation="Chat as a customer to test the console"),
    Command("f5", "retry", "Retry failed", show=False, title="Retry failed replies",
            explanation="Send replies that could not be delivered again"),
    Command("alt+1", "filter('new')", "New", show=False, title="Show New conversations",
            explanation="Unassigned and waiting"),
    Command("alt+2", "filter('mine')", "Mine", show=False, title="Show Mine (my conversations)",
            explanation="Assigned to me and open"),
    Command("alt+3", "filter('all')", "All", show=False, title="Show All conversations",
            explanation="Every conversation"),
    Command("alt+4", "filter('resolved')", "Resolved", show=False,
            title="Show Resolved conversations", explanation="Closed ones"),
    Binding("escape", "focus_list", "Conversations", show=False),
]
CONSOLE_PALETTE_ONLY: tuple[PaletteRow, ...] = (
    PaletteRow("Save reply as canned reply", "save_canned",
               "Name the composer text; insert it by /name"),
)
