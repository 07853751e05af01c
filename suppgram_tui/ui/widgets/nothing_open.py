"""What the conversation pane says while no conversation is open.

It is the first thing a new agent reads, often in an 80x24 terminal on an empty
inbox: where customers will appear, how to open one, and how to get a first customer
(the simulator, F4) without leaving the console. Wrapped to the pane, never cut.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from suppgram_tui.text import one_line


class NothingOpen(Static):
    """How to open a conversation, and how to get one when there is none."""

    def __init__(self, *, group: str, id: str | None = None) -> None:
        super().__init__(self.text(group=group), id=id)

    @staticmethod
    def text(*, group: str) -> Content:
        return Content.assemble(
            ("No conversation open.", "bold"), "\n\n",
            "Customers appear on the left as soon as they write. Move with ↑ and ↓, "
            "open one with Enter, then type your reply.\n\n",
            ("No customer yet? ", "bold"),
            "Press F4 to open the simulator and chat with this console as a customer.\n\n",
            f"A customer's app writes by adding its own channel to the channel group "
            f"{one_line(group, 60)} and publishing to it.")
