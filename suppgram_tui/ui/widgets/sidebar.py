"""The left pane: filter tabs, the search box and the conversation list, kept in step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Tab, Tabs

from suppgram_tui.inbox import ConversationFilter

from .conversation_list import ConversationList


class Sidebar(Vertical):
    """Which conversations the list shows follows the active tab and the search text."""

    def __init__(self, *, agent_name: str, clock: Callable[[], datetime],
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.agent_name = agent_name
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(tab.label, id=tab.value) for tab in ConversationFilter),
                   active=ConversationFilter.ALL.value, id="filters")
        yield Input(placeholder="Search conversations (Ctrl+F)", id="search")
        yield ConversationList(agent_name=self.agent_name, clock=self.clock,
                               id="conversations")

    def show(self, tab: ConversationFilter) -> None:
        self.query_one(Tabs).active = tab.value

    def focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Tabs.TabActivated, "#filters")
    def filter_changed(self, event: Tabs.TabActivated) -> None:
        self.query_one(ConversationList).filter = ConversationFilter(event.tab.id or "all")

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.query_one(ConversationList).search = event.value

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one(ConversationList).focus()
