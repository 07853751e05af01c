"""The agent's main screen: status, conversation list, open conversation, composer.

Layout and routing only: what the inbox reports arrives as the bridge's messages, what
the agent does goes to the inbox's API, and the inbox keeps the rules.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen

from suppgram_tui.inbox import (
    ClaimLost,
    ConversationFilter,
    Inbox,
    ReplyRefused,
    StoreError,
)
from suppgram_tui.model import ConnectionState
from suppgram_tui.settings import Settings
from suppgram_tui.text import one_line

from .. import messages
from ..arrival_toast import ArrivalToast
from ..column_update import use_column_updates
from ..commands import ConsoleCommands, PaletteRow
from ..frame_pacing import use_frame_pacing
from ..widgets.composer import Composer
from ..widgets.conversation_header import ConversationHeader
from ..widgets.conversation_list import ConversationList
from ..widgets.key_bar import KeyBar
from ..widgets.nothing_open import NothingOpen
from ..widgets.reply_size import ReplySizeMeter
from ..widgets.sidebar import Sidebar
from ..widgets.status_line import StatusLine
from ..widgets.transcript import Transcript
from .canned_prompt import canned_name, canned_name_prompt
from .confirm import ConfirmScreen
from .console_actions import ConversationActions
from .console_files import FileActions
from .console_keys import CONSOLE_BINDINGS, CONSOLE_PALETTE_ONLY
from .payload import PayloadScreen
from .thread import ThreadScreen, can_start_thread


class ConsoleScreen(FileActions, ConversationActions):
    """Every action works from the keyboard, whichever pane has focus."""

    COMMANDS = {ConsoleCommands}
    BINDINGS: ClassVar[list[BindingType]] = CONSOLE_BINDINGS
    PALETTE_ONLY: ClassVar[tuple[PaletteRow, ...]] = CONSOLE_PALETTE_ONLY

    def __init__(self, inbox: Inbox, settings: Settings, *, origin: str) -> None:
        super().__init__()
        use_column_updates(self)  # the sidebar and the pane repaint apart
        use_frame_pacing(self)  # a key's frame does not wait a slow frame's interval out
        self.inbox = inbox
        self.settings = settings
        self.origin = origin
        self.channel: str | None = None
        """The conversation on screen, where replies go."""
        self.opened = False
        """Whether the agent chose it (Enter, a click, writing) rather than only moved
        the cursor onto it: only then is it read as messages come."""
        self.arrivals: ArrivalToast

    def compose(self) -> ComposeResult:
        yield StatusLine(origin=self.origin, agent=self.settings.agent.name, id="status")
        with Horizontal(id="main"):
            yield Sidebar(agent_name=self.settings.agent.name, clock=self.settings.clock,
                          id="sidebar")
            with Vertical(id="conversation", classes="-nothing-open"):
                yield ConversationHeader(id="header")
                yield NothingOpen(group=", ".join(self.settings.pubnub.channel_groups),
                                  id="nothing-open")
                yield Transcript(support_user=self.settings.pubnub.user_id, id="transcript")
                yield Composer(id="composer")
                yield ReplySizeMeter(id="reply-size")
        yield KeyBar()

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    def on_mount(self) -> None:
        self.arrivals = ArrivalToast(self.app)
        self.query_one(StatusLine).show(self.inbox.status())
        composer = self.query_one(Composer)
        composer.canned = self.inbox.canned_replies()
        self.conversation_list.handoff.target = composer
        self.query_one(Transcript).handoff.target = composer  # typing there is not lost
        # back where the agent left, shown but not read: what is new keeps its badge
        self.conversation_list.bind(self.inbox.conversations, start=self.inbox.last_shown())
        self.conversation_list.focus()

    # what the inbox reports -------------------------------------------------------------

    def on_conversations_changed(self, message: messages.ConversationsChanged) -> None:
        self.conversation_list.touch(message.channels, resort=message.resort)
        if self.channel in message.channels:
            self.query_one(ConversationHeader).show(self.inbox.conversations[self.channel])
            self._read_open_conversation()
        self.query_one(StatusLine).show(self.inbox.status())

    def on_transcript_changed(self, message: messages.TranscriptChanged) -> None:
        if self.channel in message.channels:
            self.query_one(Transcript).entries_changed()
            self._read_open_conversation()
            if isinstance(self.app.screen, ThreadScreen):
                self.app.screen.replies_changed()

    def _read_open_conversation(self) -> None:
        """An opened conversation is read as messages come, unless the agent is not
        looking: another screen (F3, F4) in front, or the terminal blurred."""
        if self.channel is not None and self.opened and self._in_view() and (
                self.app.is_headless or self.app.focused is not None):
            self.inbox.mark_read(self.channel)

    def _in_view(self) -> bool:
        """This screen is on top, or under dialogs only (which leave it in sight)."""
        stack = self.app.screen_stack
        return self in stack and all(isinstance(screen, ModalScreen)
                                     for screen in stack[stack.index(self) + 1:])

    def on_connection_changed(self, message: messages.ConnectionChanged) -> None:
        status = self.inbox.status()
        self.query_one(StatusLine).show(status)
        header = self.query_one(ConversationHeader)
        header.connected = status.connection is ConnectionState.CONNECTED
        header.show(header.view)

    def on_customer_wrote(self, message: messages.CustomerWrote) -> None:
        """A toast for what is not on screen: the open conversation's news is in view
        (unless another screen covers it or the terminal is in the background)."""
        looking = self.channel if self.is_current and self.app.app_focus else None
        if self.arrivals.tell(message.arrivals, except_channel=looking) \
                and self.settings.ui.notify_sound:
            self.app.bell()

    def on_notice_raised(self, message: messages.NoticeRaised) -> None:
        self.notify(message.text, severity=message.severity, markup=False,
                    timeout=3 if message.severity == "information" else 8)

    # selection --------------------------------------------------------------------------

    @on(ConversationList.Selected)
    def select_conversation(self, message: ConversationList.Selected) -> None:
        """A cursor move shows a conversation; Enter or a click opens it (it is read)."""
        try:
            if self.channel != message.channel:
                self._show(message.channel)
            if message.open or self.app.focused is self.query_one(Composer):
                self._open()  # Alt+↑/↓ with the cursor in the composer: writing there
        finally:
            self.conversation_list.shown()  # keys typed meanwhile waited for this

    def _show(self, channel: str) -> None:
        composer = self.query_one(Composer)
        if self.channel is not None:
            self.inbox.save_draft(self.channel, composer.text)
        self.channel, self.opened = channel, False
        self.query_one("#conversation").remove_class("-nothing-open")
        conversation = self.inbox.conversations.get(channel)
        self.query_one(Transcript).show(
            conversation, new_after=conversation.unread_after if conversation else None)
        self.query_one(ConversationHeader).show(conversation)
        draft = self.inbox.show(channel)
        if composer.text != draft:  # loading redraws it: no draft on either side, no need
            composer.load_text(draft)
        else:  # but undo must not bring back what was written in the last one
            composer.history.clear()

    def _open(self) -> None:
        """The agent chose the shown conversation (Enter, a click, the composer)."""
        if self.channel is not None and not self.opened:
            self.opened = True
            self.inbox.open(self.channel)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Composer):
            self._open()  # writing in it is choosing it

    def on_screen_resume(self) -> None:
        """Back from F3 or F4: what came meanwhile is new, marked, until chosen again."""
        conversation = self.inbox.conversations.get(self.channel or "")
        if conversation is not None and self.opened and conversation.unread:
            self.opened = False
            self.query_one(Transcript).mark_new(conversation.unread_after)
            if self.query_one(Composer).has_focus:
                self.conversation_list.focus()

    @on(Transcript.NeedOlder)
    def need_older(self, message: Transcript.NeedOlder) -> None:
        self.load_older(message.channel)

    @work(exclusive=True, group="history", exit_on_error=False)
    async def load_older(self, channel: str) -> None:
        await self.inbox.load_older(channel)

    # composing --------------------------------------------------------------------------

    @on(Composer.Page)
    def page_conversation(self, message: Composer.Page) -> None:
        self.query_one(Transcript).page(message.step)

    @on(Composer.UnknownCanned)
    def unknown_canned(self, message: Composer.UnknownCanned) -> None:
        self.notify(f"{message.explanation} Save one from the command palette (Ctrl+P).",
                    severity="warning", markup=False, timeout=8)

    @on(Composer.Submitted)
    def send(self, message: Composer.Submitted) -> None:
        if (channel := self._need_conversation()) is not None:
            self._send_reply(channel, message.text)

    @work(group="replies", exit_on_error=False)
    async def _send_reply(self, channel: str, text: str) -> None:
        """In another agent's conversation, ask first. A reply that cannot go out (the
        claim lost, too large, unstorable) goes back to the composer, with why."""
        owner = self.inbox.conversations[channel].assignee
        if owner not in (None, self.settings.agent.name):
            question = f"{one_line(owner, 30)} has this conversation. Reply anyway?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, key="enter")):
                return
        too_large = self.inbox.reply_size(channel, text).refused
        if channel == self.channel and not too_large:  # that one is refused, untouched
            self.query_one(Composer).load_text("")
        try:
            await self.inbox.send_reply(channel, text)
        except ClaimLost as lost:
            self._give_back(channel, text)
            self.notify(f"Not sent: {lost} Your reply is still in the composer.",
                        severity="warning", markup=False, timeout=10)
        except (ReplyRefused, StoreError) as error:
            if not too_large:
                self._give_back(channel, text)
            self.notify(str(error), severity="error", markup=False, timeout=15)

    def _give_back(self, channel: str, text: str) -> None:
        """Back where it was written, before anything typed since."""
        if channel != self.channel:
            since = self.inbox.draft(channel)
            self.inbox.save_draft(channel, f"{text}\n{since}" if since.strip() else text)
            return
        composer = self.query_one(Composer)
        since = composer.text
        composer.load_text(f"{text}\n{since}" if since.strip() else text)
        composer.move_cursor(composer.document.end)

    @on(Composer.Changed, "#composer")
    def measure_reply(self) -> None:
        """Once the agent pauses: measuring runs the converter, which may be slow."""
        meter = self.query_one(ReplySizeMeter)
        if not self.query_one(Composer).text.strip():
            meter.show_size(None)
            return
        meter.measure_soon(lambda: self.inbox.reply_size(
            self.channel or "", self.query_one(Composer).text) if
            self.query_one(Composer).text.strip() else None)

    @on(Composer.Typing)
    def typing(self) -> None:
        if self.channel is not None:
            self.inbox.save_draft(self.channel, self.query_one(Composer).text)
            self.inbox.typing(self.channel)

    @work(group="canned", exit_on_error=False)
    async def action_save_canned(self) -> None:
        """Save what is in the composer as a canned reply, inserted later by `/name`."""
        composer = self.query_one(Composer)
        if not (text := composer.text.strip()):
            self.notify("Write the reply in the composer first, then save it.",
                        severity="warning")
            return
        answer = await self.app.push_screen_wait(canned_name_prompt())
        if answer is None:
            return
        name = canned_name(answer)
        self.inbox.save_canned_reply(name, text)
        composer.canned = self.inbox.canned_replies()
        self.notify(f"Saved: type /{name} to insert it.", markup=False, timeout=4)

    # moving around ----------------------------------------------------------------------

    def action_next_unread(self) -> None:
        if not self.conversation_list.select_next_unread():
            self.notify("No unread conversations.", timeout=3)

    def action_step(self, step: int) -> None:
        self.conversation_list.action_cursor(step)

    def action_search(self) -> None:
        self.query_one(Sidebar).focus_search()

    def action_toggle_raw(self) -> None:
        transcript = self.query_one(Transcript)
        transcript.raw_mode = not transcript.raw_mode

    def action_inspect(self) -> None:
        """F7: the newest message on screen in full (the wire view shows a preview)."""
        transcript = self.query_one(Transcript)
        entry = transcript.entry_on_screen()
        if entry is None or transcript.view is None:
            self.notify("Open a conversation with messages first.", severity="warning")
            return
        entries = transcript.view.entries
        self.app.push_screen(PayloadScreen(entries, entries.index(entry)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Threads are the Chat SDK's: with other converters F8 is no key at all."""
        return self.inbox.chat_sdk if action == "thread" else True

    def action_thread(self) -> None:
        """F8: the thread of the newest message on screen that has one (Ctrl+↑/↓ there
        go through the conversation's other threads); with none on screen, a new
        thread on the newest message on screen."""
        transcript = self.query_one(Transcript)
        on_screen = transcript.entries_on_screen()
        if not any(self.inbox.thread(entry) for entry in on_screen):
            target = next((entry for entry in on_screen if can_start_thread(entry)), None)
            if target is None:
                self.notify("No message on screen to open a thread on.", severity="warning",
                            timeout=4)
                return
            self.inbox.start_thread(target)
        view = transcript.view
        threads = [(entry, thread) for entry in (view.entries if view else [])
                   if (thread := self.inbox.thread(entry)) is not None]
        parents = [entry for entry, _ in threads]
        for entry in on_screen:
            if entry in parents:
                self.app.push_screen(ThreadScreen(self.inbox, threads, parents.index(entry)))
                return

    def action_filter(self, name: str) -> None:
        self.query_one(Sidebar).show(ConversationFilter(name))

    def action_next_filter(self) -> None:
        self.query_one(Sidebar).show(self.conversation_list.filter.following)

    def action_focus_list(self) -> None:
        self.conversation_list.focus()
