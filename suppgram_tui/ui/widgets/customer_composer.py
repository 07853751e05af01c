"""Where the simulator writes as the customer.

Canned replies are the agent's, so none are offered here: a `/word` is sent as the
customer typed it (customers of a bot do send `/start`), and Tab only moves on.
"""

from __future__ import annotations

from .composer import Composer

PLACEHOLDER = "Write as the customer… (Enter sends, Ctrl+J new line)"


class CustomerComposer(Composer):
    """The agent's composer without canned replies, worded for the customer."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.placeholder = PLACEHOLDER
        self.canned = {}

    def expand_canned(self) -> bool:
        return False

    def action_submit(self) -> None:
        text = self.text.strip()
        if text:
            self.post_message(self.Submitted(text))

    def action_expand_canned(self) -> None:
        self.screen.focus_next()
