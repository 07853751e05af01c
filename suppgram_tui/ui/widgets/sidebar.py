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
from .search_box import SearchBox


class Sidebar(Vertical):
    """Which conversations the list shows follows the active tab and the search text."""

    def __init__(self, *, agent_name: str, clock: Callable[[], datetime],
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.agent_name = agent_name
        self.clock = clock

    def compose(self) -> ComposeResult:
        tabs = Tabs(*(Tab(tab.label, id=tab.value) for tab in ConversationFilter),
                    active=ConversationFilter.ALL.value, id="filters")
        tabs.can_focus = False  # switched by keys or a click; Tab goes list, composer, search
        yield tabs
        yield SearchBox(placeholder="Search conversations (Ctrl+F)", id="search",
                        on_done=self._search_done)
        yield ConversationList(agent_name=self.agent_name, clock=self.clock,
                               id="conversations")

    def on_mount(self) -> None:
        self.query_one(SearchBox).handoff.target = self.query_one(ConversationList)

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

    def _search_done(self) -> None:
        """Enter or Escape in search: open the highlighted conversation for a reply."""
        conversations = self.query_one(ConversationList)
        # the text as typed up to Enter: its Changed messages may still be on their way
        conversations.search = self.query_one(SearchBox).value
        conversations.action_open()
