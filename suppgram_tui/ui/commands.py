"""Command palette entries for what an agent can do on the current screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

CONSOLE_COMMANDS = [
    ("Claim conversation", "claim", "Assign the open conversation to me"),
    ("Hand over conversation", "hand_over", "Give the open conversation to another agent"),
    ("Postpone conversation", "postpone", "Put it back in the queue and tell the customer"),
    ("Resolve conversation", "resolve", "Close it and tell the customer"),
    ("Tag conversation", "tag", "Set the open conversation's tags"),
    ("Next unread conversation", "next_unread", "Jump to the next conversation with news"),
    ("Search conversations", "search", "Filter the list by text"),
    ("Toggle raw wire view", "toggle_raw", "Show each message's JSON and envelope"),
    ("Show statistics", "stats", "Response and resolution times, CSAT, volume"),
    ("Open customer simulator", "simulator", "Chat as a customer to test the console"),
    ("Retry failed replies", "retry", "Send replies that could not be delivered again"),
    ("Save reply as canned reply", "save_canned", "Name the composer text; insert it by /name"),
    ("Show New conversations", "filter('new')", "Unassigned and waiting (Alt+1)"),
    ("Show My conversations", "filter('mine')", "Assigned to me and open (Alt+2)"),
    ("Show All conversations", "filter('all')", "Every conversation (Alt+3)"),
    ("Show Resolved conversations", "filter('resolved')", "Closed ones (Alt+4)"),
]


class ConsoleCommands(Provider):
    """The console screen's actions, by name."""

    def _commands(self) -> list[tuple[str, str, str]]:
        from .screens.console import ConsoleScreen

        return CONSOLE_COMMANDS if isinstance(self.screen, ConsoleScreen) else []

    async def discover(self) -> Hits:
        for title, action, help_text in self._commands():
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.screen.run_action, action),
                          help=help_text)
