"""Textual messages the app posts when the inbox reports something."""

from __future__ import annotations

from textual.message import Message

from suppgram_tui.inbox import Inbox, InboxEvent


class InboxReady(Message):
    """The inbox has connected and loaded its conversations."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox


class InboxUpdated(Message):
    """One inbox event, delivered on the UI's message queue."""

    def __init__(self, event: InboxEvent) -> None:
        super().__init__()
        self.event = event
