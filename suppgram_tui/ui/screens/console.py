"""The agent's main screen: status, conversation list, open conversation, composer."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Tab, Tabs

from suppgram_tui.inbox import (
    ActionFailed,
    ClaimLost,
    ConnectionStatus,
    ConversationAction,
    ConversationChanged,
    EntryAdded,
    EntryUpdated,
    HistoryLoaded,
    Inbox,
    Notice,
    ReadMarkerMoved,
)

from ..config import ConsoleConfig
from ..messages import InboxReady, InboxUpdated
from ..safe_text import one_line
from ..widgets.composer import Composer
from ..widgets.conversation_header import ConversationHeader
from ..widgets.conversation_list import ConversationList
from ..widgets.status_line import StatusLine
from ..widgets.transcript import Transcript
from .prompt import PromptScreen

log = logging.getLogger(__name__)

REFRESH_INTERVAL = 1 / 20


class ConsoleScreen(Screen[None]):
    """Every action works from the keyboard, whichever pane has focus."""

    BINDINGS = [
        Binding("ctrl+g", "claim", "Claim", priority=True),
        Binding("ctrl+o", "hand_over", "Hand over", priority=True),
        Binding("ctrl+b", "postpone", "Postpone", priority=True),
        Binding("ctrl+r", "resolve", "Resolve", priority=True),
        Binding("ctrl+t", "tag", "Tag", priority=True),
        Binding("ctrl+n", "next_unread", "Unread", priority=True),
        Binding("alt+up,ctrl+up", "step(-1)", "Prev", priority=True),
        Binding("alt+down,ctrl+down", "step(1)", "Next", priority=True),
        Binding("ctrl+f", "search", "Search", priority=True),
        Binding("f2", "toggle_raw", "Raw"),
        Binding("f3", "stats", "Stats"),
        Binding("f4", "simulator", "Simulator"),
        Binding("f5", "retry", "Retry failed", show=False),
        Binding("alt+1", "filter('new')", "New", show=False),
        Binding("alt+2", "filter('mine')", "Mine", show=False),
        Binding("alt+3", "filter('all')", "All", show=False),
        Binding("alt+4", "filter('resolved')", "Resolved", show=False),
        Binding("escape", "focus_list", "Conversations", show=False),
    ]

    def __init__(self, config: ConsoleConfig) -> None:
        super().__init__()
        self._alerts: list[str] = []
        self._counted_conversations = -1
        self._confirming: tuple[str, str, float] | None = None
        self.config = config
        self.inbox: Inbox | None = None
        self.channel: str | None = None
        self._dirty: set[str] = set()
        self._entries_dirty = False
        self._flush_pending = False
        self._last_flush = 0.0

    def compose(self) -> ComposeResult:
        groups = ", ".join(self.config.link.channel_groups)
        status = StatusLine(origin=self.config.origin_label, agent=self.config.agent_name,
                            id="status")
        status.groups = groups
        yield status
        with Horizontal(id="main"):
            with Vertical(id="sidebar"):
                yield Tabs(Tab("New", id="new"), Tab("Mine", id="mine"),
                           Tab("All", id="all"), Tab("Resolved", id="resolved"),
                           active="all", id="filters")
                yield Input(placeholder="Search conversations (Ctrl+F)", id="search")
                yield ConversationList(agent_name=self.config.agent_name,
                                       clock=self.config.clock, id="conversations")
            with Vertical(id="conversation"):
                yield ConversationHeader("Connecting…", id="header", markup=False)
                yield Transcript(support_user=self.config.link.user_id, id="transcript")
                yield Composer(id="composer")
        yield Footer(compact=True)

    # wiring to the inbox ------------------------------------------------------------

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_mount(self) -> None:
        self.set_interval(15, self._tick)

    def _tick(self) -> None:
        """Waiting times move with the clock."""
        self.conversation_list.refresh_waits()

    @on(InboxReady)
    def inbox_ready(self, message: InboxReady) -> None:
        self.inbox = message.inbox
        origin = self.app.session.settings  # type: ignore[attr-defined]
        if self.config.local_server and self.config.show_local_origin:
            self.query_one(StatusLine).origin = f"LOCAL {origin.origin}"
            self.query_one(StatusLine).refresh()
        self.query_one(Composer).canned = message.inbox.canned_replies()
        self.conversation_list.bind(message.inbox.conversations)
        if self.channel is None:
            self.query_one(ConversationHeader).show(None)
        self._refresh_status()
        self.conversation_list.focus()

    @on(InboxUpdated)
    def inbox_updated(self, message: InboxUpdated) -> None:
        event = message.event
        if isinstance(event, EntryAdded | EntryUpdated | HistoryLoaded) \
                and event.channel == self.channel:
            self._entries_dirty = True  # the open transcript has to be laid out again
        if isinstance(event, ConversationChanged | HistoryLoaded | ReadMarkerMoved):
            self._dirty.add(event.channel)
        elif isinstance(event, EntryAdded | EntryUpdated):
            self._dirty.add(event.channel)
            if isinstance(event, EntryAdded):
                self._notify_arrival(event)
        elif isinstance(event, ConnectionStatus):
            status = self.query_one(StatusLine)  # also before the inbox is ready
            status.connection, status.detail = event.state, event.detail
            self._refresh_status()
        elif isinstance(event, Notice):
            self.notify(event.text, severity=event.severity, markup=False, timeout=8)  # type: ignore[arg-type]
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        """Coalesce bursts: the list and pane are redrawn at most 20 times a second, and
        the first change after a quiet spell at once (after the messages already queued,
        so one poll's worth of events is one redraw), not an interval later."""
        if not self._flush_pending:
            self._flush_pending = True
            wait = self._last_flush + REFRESH_INTERVAL - time.monotonic()
            if wait > 0:
                self.set_timer(wait, self._flush)
            else:
                self.call_later(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._last_flush = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        if dirty:
            self.conversation_list.touch(dirty)
        if self.channel in dirty and self.inbox is not None:
            if self._entries_dirty:  # not for a read marker or a claim: no new frame of it
                self._entries_dirty = False
                self.query_one(Transcript).entries_changed()
            self.query_one(ConversationHeader).show(self.inbox.conversations.get(self.channel))
            if self.app.is_headless or self.app.focused is not None:
                self.inbox.mark_read(self.channel)
        self._refresh_status()

    def _refresh_status(self) -> None:
        status = self.query_one(StatusLine)
        if self.inbox is None:
            return
        now = self.inbox.status()
        status.connection = now.connection
        status.detail = now.detail
        status.pending = now.pending_replies
        status.groups = ", ".join(f"{group} {count}/{now.group_capacity}"
                                  for group, count in now.channels_per_group.items())
        status.notes = " ".join(now.notes)[:200]
        # reactives repaint the line only when its text actually changed

    def _notify_arrival(self, event: EntryAdded) -> None:
        if self.inbox is None or event.entry.author.value != "customer":
            return
        name = one_line(event.entry.publisher or event.channel, 40)
        if event.new_conversation:
            what = "Conversation reopened by" if event.reopened else "New conversation from"
            self._alert(f"{what} {name}: {one_line(event.entry.text, 80)}")
        elif event.mine:
            self._alert(f"{name}: {one_line(event.entry.text, 80)}")

    def _alert(self, text: str) -> None:
        """Alerts arriving together become one toast, so a burst cannot bury the screen."""
        self._alerts.append(text)
        if len(self._alerts) == 1:
            self.set_timer(0.4, self._flush_alerts)

    def _flush_alerts(self) -> None:
        alerts, self._alerts = self._alerts, []
        if not alerts:
            return
        if len(alerts) == 1:
            self.notify(alerts[0], markup=False, timeout=6)
        else:
            shown = "\n".join(alerts[:3])
            more = f"\n…and {len(alerts) - 3} more" if len(alerts) > 3 else ""
            self.notify(f"{len(alerts)} new messages:\n{shown}{more}", markup=False, timeout=8)
        if self.config.notify_sound:
            self.app.bell()

    # selection ------------------------------------------------------------------------

    @on(ConversationList.Selected)
    def open_conversation(self, message: ConversationList.Selected) -> None:
        if self.inbox is None:
            return
        composer = self.query_one(Composer)
        if self.channel is not None and self.channel != message.channel:
            self.inbox.save_draft(self.channel, composer.text)
        if self.channel != message.channel:
            self.channel = message.channel
            view = self.inbox.conversations.get(message.channel)
            self.query_one(Transcript).show(view)
            self.query_one(ConversationHeader).show(view)
            composer.load_text(self.inbox.open(message.channel))

    @on(Transcript.NeedOlder)
    def need_older(self, message: Transcript.NeedOlder) -> None:
        self.load_older(message.channel)

    @work(exclusive=True, group="history", exit_on_error=False)
    async def load_older(self, channel: str) -> None:
        if self.inbox is not None:
            await self.inbox.load_older(channel)

    @on(Tabs.TabActivated, "#filters")
    def filter_changed(self, event: Tabs.TabActivated) -> None:
        self.conversation_list.filter = event.tab.id or "all"

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.conversation_list.search = event.value

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.conversation_list.focus()

    # composing ------------------------------------------------------------------------

    @on(ConversationList.TypedText)
    def typed_in_list(self, message: ConversationList.TypedText) -> None:
        composer = self.query_one(Composer)
        composer.focus()
        composer.insert(message.character)

    @on(Composer.UnknownCanned)
    def unknown_canned(self, message: Composer.UnknownCanned) -> None:
        names = ", ".join(f"/{name}" for name in sorted(self.query_one(Composer).canned))
        known = f" Saved ones: {names}." if names else " None are saved yet."
        self.notify(f"No canned reply is named /{one_line(message.name, 30)}; nothing was "
                    f"sent.{known} Save one from the command palette (Ctrl+P).",
                    severity="warning", markup=False, timeout=8)

    @on(Composer.Submitted)
    def send(self, message: Composer.Submitted) -> None:
        if self.inbox is None or self.channel is None:
            self.notify("Pick a conversation first.", severity="warning")
            return
        self.inbox.send_reply(self.channel, message.text)
        log.info("reply queued on %s", self.channel)
        self.query_one(Composer).load_text("")

    @on(Composer.Typing)
    def typing(self) -> None:
        if self.inbox is None or self.channel is None:
            return
        self.inbox.save_draft(self.channel, self.query_one(Composer).text)
        self.inbox.typing(self.channel)

    # actions ----------------------------------------------------------------------------

    def _need_conversation(self) -> str | None:
        if self.inbox is None or self.channel is None:
            self.notify("Pick a conversation first.", severity="warning")
            return None
        return self.channel

    def action_claim(self) -> None:
        if channel := self._need_conversation():
            self.change_state(ConversationAction.CLAIM, channel)

    def _someone_elses(self, action: str, channel: str, key: str) -> bool:
        """True (and a warning) unless the conversation is mine, free, or this is the
        second press within five seconds."""
        assert self.inbox is not None
        owner = self.inbox.conversations[channel].assignee
        if owner in (None, self.config.agent_name):
            return False
        now = time.monotonic()
        if self._confirming is not None and self._confirming[:2] == (action, channel) \
                and now - self._confirming[2] < 5:
            self._confirming = None
            return False
        self._confirming = (action, channel, now)
        self.notify(f"{one_line(owner, 30)} has this conversation. Press {key} again within "
                    f"5 seconds to {action.replace('_', ' ')} it anyway.",
                    severity="warning", markup=False, timeout=5)
        return True

    def action_postpone(self) -> None:
        if (channel := self._need_conversation()) and \
                not self._someone_elses("postpone", channel, "Ctrl+B"):
            self.change_state(ConversationAction.POSTPONE, channel)

    def action_resolve(self) -> None:
        if (channel := self._need_conversation()) and \
                not self._someone_elses("resolve", channel, "Ctrl+R"):
            self.change_state(ConversationAction.RESOLVE, channel)

    def action_hand_over(self) -> None:
        channel = self._need_conversation()
        if channel is None:
            return

        def chosen(agent: str | None) -> None:
            if agent and agent.strip():
                self.change_state(ConversationAction.HAND_OVER, channel, agent.strip())
        self.app.push_screen(PromptScreen("Hand over to which agent?",
                                          placeholder="agent name"), chosen)

    def action_tag(self) -> None:
        channel = self._need_conversation()
        if channel is None or self.inbox is None:
            return
        current = " ".join(self.inbox.conversations[channel].tags)

        def chosen(tags: str | None) -> None:
            if tags is not None:
                self.change_state(ConversationAction.SET_TAGS, channel,
                                  tags.replace(",", " ").split())
        self.app.push_screen(PromptScreen("Tags (space-separated)", value=current), chosen)

    @work(group="state", exit_on_error=False)
    async def change_state(self, action: ConversationAction, channel: str,
                           *args: object) -> None:
        """Claim, hand over, postpone, resolve or tag; a lost race is a toast, not a crash."""
        if self.inbox is None:
            return
        try:
            await self.inbox.apply(action, channel, *args)
        except ClaimLost as lost:
            self.notify(str(lost), severity="warning", markup=False)
            return
        except ActionFailed as failed:
            self.notify(str(failed), severity="error", markup=False)
            return
        self.notify(f"{action.done}: {one_line(channel, 60)}", markup=False, timeout=3)

    def action_next_unread(self) -> None:
        channel = self.conversation_list.next_unread()
        if channel is None:
            self.notify("No unread conversations.", timeout=3)
        else:
            self.conversation_list.select(channel)

    def action_step(self, step: int) -> None:
        self.conversation_list.action_cursor(step)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_raw(self) -> None:
        transcript = self.query_one(Transcript)
        transcript.raw_mode = not transcript.raw_mode

    def action_filter(self, name: str) -> None:
        self.query_one(Tabs).active = name

    def action_focus_list(self) -> None:
        self.conversation_list.focus()

    def action_retry(self) -> None:
        if self.inbox is None or self.channel is None:
            return
        count = self.inbox.retry_failed(self.channel)
        if not count:
            self.notify("No failed replies in this conversation.", timeout=3)
            return
        self.notify(f"Retrying {count} repl{'y' if count == 1 else 'ies'}.", timeout=3)

    def action_save_canned(self) -> None:
        """Save what is in the composer as a canned reply, inserted later by `/name`."""
        composer = self.query_one(Composer)
        text = composer.text.strip()
        if not text or self.inbox is None:
            self.notify("Write the reply in the composer first, then save it.",
                        severity="warning")
            return

        def named(name: str | None) -> None:
            if not name or self.inbox is None:
                return
            name = name.strip().lstrip("/")
            if not name or any(c.isspace() for c in name):
                self.notify("A canned reply's name is one word.", severity="warning")
                return
            self.inbox.save_canned_reply(name, text)
            composer.canned = self.inbox.canned_replies()
            self.notify(f"Saved: type /{name} to insert it.", markup=False, timeout=4)
        self.app.push_screen(PromptScreen("Name of the canned reply (one word)",
                                          placeholder="thanks"), named)

    def action_stats(self) -> None:
        self.app.action_stats()  # type: ignore[attr-defined]

    def action_simulator(self) -> None:
        """Chat as customers on the same server, to try the console (and the converter)."""
        from .simulator import SimulatorScreen

        settings = self.app.session.settings  # type: ignore[attr-defined]
        if self.inbox is None:
            self.notify("Not connected yet.", severity="warning")
            return
        if not self.app.is_screen_installed("simulator"):
            customers = replace(settings, token=None)  # customers never use the agents' token
            # installed, so its customers stay connected while the agent is back here
            self.app.install_screen(SimulatorScreen(
                customers, converter_path=self.config.converter_path,
                group=self.config.link.channel_groups[0],
                support_user=self.config.link.user_id, clock=self.config.clock,
                first_customer=(self.config.simulator_customer, None),
                typing_signals=self.config.presence_signals), "simulator")
        self.app.push_screen("simulator")
