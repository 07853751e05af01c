"""The console's keys: what the footer, the help (F1) and the command palette show.

Every action works from the keyboard whichever pane has focus, hence `priority`. A
`Command` is also a palette row, so its words and key are written once. Alt+1…4 work
where Alt sends ESC first (xterm, tmux, iTerm "Esc+", macOS Terminal "Option as Meta");
F6 works everywhere, also where Option types characters (macOS Terminal's default).
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
    # F6 and F7 are priority: the composer (a TextArea) would select text with them
    Command("f7", "inspect", "Inspect", show=False, priority=True, title="Inspect whole message",
            explanation="The newest message on screen in full: envelope, meta, JSON, "
                        "decoded (←/→ other messages)"),
    Command("f8", "thread", "Thread", priority=True, title="Open message thread",
            explanation="Read and answer the newest thread on screen, or start one on the "
                        "newest message (customers on the Chat SDK)"),
    Command("f3", "app.stats", "Stats", title="Show statistics",
            explanation="Response and resolution times, CSAT, volume"),
    Command("f4", "app.simulator", "Simulator", title="Open customer simulator",
            explanation="Chat as a customer to test the console"),
    Command("ctrl+l", "app.reload_converter", "Reload converter", show=False, priority=True,
            title="Reload the converter",
            explanation="Re-read it, here and in F4"),
    # files: priority, as the composer (a TextArea) has no use for them
    Command("ctrl+s", "save_attachment", "Save file", show=False, priority=True,
            title="Save attachment",
            explanation="Download the conversation's file or image to the downloads folder"),
    Command("f9", "view_attachment", "View file", show=False, priority=True,
            title="View attachment",
            explanation="See an image (drawn where the terminal can) or the details"),
    Command("f10", "send_file", "Send file", show=False, priority=True, title="Send a file…",
            explanation="Send the customer a file from a path (up to 5 MB)"),
    Command("f5", "retry", "Retry failed", show=False, title="Retry failed replies",
            explanation="Send replies that could not be delivered again"),
    Command("f6", "next_filter", "Tabs", show=False, priority=True, title="Next list tab",
            explanation="New, Mine, All, Resolved in turn"),
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

HELP: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Reply to a customer", (
        ("Enter", "send the reply"),
        ("Ctrl+J  Alt+Enter", "new line in the reply"),
        ("/name  Tab", "insert the canned reply called name (save one from Ctrl+P)"),
        ("typing in the list", "writes in the reply box"),
        ("PgUp  PgDn", "in the reply box: read back through the conversation above"),
        ("Shift+Tab", "in the reply box: into the conversation (↑ ↓ Home End scroll it)"),
        ("Esc", "back to the list"),
    )),
    ("The open conversation", (
        ("@claim", ""), ("@hand_over", ""), ("@postpone", ""), ("@resolve", ""),
        ("@tag", ""), ("@retry", ""),
    )),
    ("Files", (
        ("@save_attachment", ""), ("@view_attachment", ""), ("@send_file", ""),
    )),
    ("Find a conversation", (
        ("↑  ↓", "look at the previous / next one (nothing is marked read)"),
        ("Enter  click", "open it: it is read, the cursor goes to the reply box"),
        ("@next_unread", ""),
        ("Alt+↑  Alt+↓", "previous / next conversation, from anywhere"),
        ("@search", ""),
        ("Alt+1…4  F6", "tabs: New, Mine, All, Resolved (F6: the next one)"),
    )),
    ("More", (
        ("@toggle_raw", ""), ("@inspect", ""), ("@app.stats", ""), ("@app.simulator", ""),
        ("@app.reload_converter", ""),
        ("Ctrl+P", "command palette: every action by name"),
        ("F1  Esc", "close this help"),
        ("Ctrl+Q", "quit"),
    )),
)
"""The help's sections, in the order an agent needs them. `@action` rows take their keys
and words from the binding above."""
CHAT_SDK_HELP: tuple[str, tuple[tuple[str, str], ...]] = (
    "Customers on PubNub's Chat SDK", (
        ("@thread", ""),
        ("✓ read by", "under the newest reply the customer's app has marked read"),
    ))
"""Shown after the rest when the converter says the customers are on the Chat SDK."""
