"""A message's Chat SDK thread (F8): its replies, and the agent's answer in it.

The replies come live (the console follows the thread's channel); the answer goes to
the thread, where the customer's Chat SDK app shows it. If it does not go out, the text
stays in the box and the reason is shown under it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from suppgram_tui.inbox import Author, ClaimLost, Entry, Inbox, Thread, ThreadReplyFailed
from suppgram_tui.text import one_line, visible
from suppgram_tui.timetokens import to_datetime

from ..formatting import clock_time
from ..widgets.transcript_entry import author_label
from .confirm import ConfirmScreen


def thread_text(parent: Entry, thread: Thread) -> Text:
    """The message and each reply under it, as plain text (outside text is no markup)."""
    text = Text()
    text.append(f"{author_label(parent)}: ", style="bold")
    text.append(visible(parent.text))
    if not thread.replies:
        text.append("\n\nNo replies yet." if thread.read else "\n\nReading the thread…",
                    style="dim")
    for reply in thread.replies:
        moment = clock_time(to_datetime(reply.timetoken)) if reply.timetoken else "--:--"
        text.append(f"\n\n{moment}  ", style="dim")
        text.append(author_label(reply), style="bold")
        text.append("\n" + visible(reply.text))
    return text


class ThreadScreen(ModalScreen[None]):
    """One thread of the conversation; Enter sends the answer, Ctrl+↑/↓ go to the
    previous / next thread, Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+up,alt+up", "other(-1)", "Older thread"),
        Binding("ctrl+down,alt+down", "other(1)", "Newer thread"),
    ]

    def __init__(self, inbox: Inbox, threads: list[tuple[Entry, Thread]], shown: int) -> None:
        """`threads`: the conversation's messages with a thread, oldest first;
        `shown`: the one to show."""
        super().__init__()
        self.inbox = inbox
        self.threads = threads
        self.shown = shown

    @property
    def parent_entry(self) -> Entry:
        return self.threads[self.shown][0]

    @property
    def thread(self) -> Thread:
        return self.threads[self.shown][1]

    def _title(self) -> str:
        where = f" {self.shown + 1} of {len(self.threads)}" if len(self.threads) > 1 else ""
        return f"Thread{where} · {thread_count(self.thread)}"

    def compose(self) -> ComposeResult:
        with Vertical(id="thread-box"):
            yield Label(self._title(), id="thread-title", markup=False)
            with VerticalScroll(id="thread-replies"):
                yield Static(thread_text(self.parent_entry, self.thread), id="thread-text",
                             markup=False)
            yield Input(placeholder="Answer in the thread (Enter sends, Esc closes)",
                        id="thread-answer")
            yield Label("", id="thread-problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#thread-problem").display = False
        self.query_one("#thread-replies", VerticalScroll).scroll_end(animate=False)
        self.query_one(Input).focus()

    def replies_changed(self) -> None:
        """New replies (live, or the thread's history read): drawn again."""
        self.query_one("#thread-title", Label).update(self._title())
        self.query_one("#thread-text", Static).update(
            thread_text(self.parent_entry, self.thread))
        self.query_one("#thread-replies", VerticalScroll).scroll_end(animate=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.send(event.value)

    @work(group="thread-reply", exit_on_error=False)
    async def send(self, text: str) -> None:
        """In another agent's conversation, ask first, as a reply does."""
        answer = self.query_one(Input)
        problem = self.query_one("#thread-problem", Label)
        conversation = self.inbox.conversations.get(self.thread.parent_channel)
        owner = conversation.assignee if conversation else None
        if owner not in (None, self.inbox.agent_name) and text.strip():
            question = f"{one_line(owner, 30)} has this conversation. Answer anyway?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, key="enter")):
                return
        answer.value = ""
        try:
            await self.inbox.reply_in_thread(self.thread, text)
        except (ThreadReplyFailed, ClaimLost) as failed:
            answer.value = text if not answer.value else f"{text} {answer.value}"
            words = f"Not sent: {failed} Your answer is still here." \
                if isinstance(failed, ClaimLost) else str(failed)
            problem.update(Text(visible(words)))
            problem.display = True
            return
        problem.display = False
        self.replies_changed()

    def action_other(self, step: int) -> None:
        """The previous or next thread of the conversation (the answer typed stays)."""
        self.shown = max(0, min(len(self.threads) - 1, self.shown + step))
        self.replies_changed()

    def action_close(self) -> None:
        self.dismiss(None)


def thread_count(thread: Thread) -> str:
    if not thread.created:
        return "new: your answer starts it"
    return thread.count_label or ("no replies yet" if thread.read else "reading…")


def can_start_thread(entry: Entry) -> bool:
    """A chat message PubNub has stamped, not deleted and not a system event: the Chat
    SDK threads those."""
    return (entry.timetoken is not None and entry.message is not None
            and entry.ignored is None and entry.author is not Author.SYSTEM
            and not (entry.actions is not None and entry.actions.deleted))
