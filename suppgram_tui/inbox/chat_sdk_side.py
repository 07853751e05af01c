"""The Chat SDK's conventions beside the messages, for customers on PubNub's Chat SDK.

On when the converter's class says `chat_sdk = True`: message actions read with history
(`applied_actions.py`; live ones apply whatever the converter), threads (`threads.py`),
customers' App Context names (`profiles.py`), read receipts (`receipts.py`) and the
customers' own read positions (`customer_reads.py`). The typing signal's shape is
`Awareness`'s. Off, none of it asks anything of PubNub: Suppgram users see no change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from suppgram_tui.converters import ConverterLike, WireMessage

from .applied_actions import AppliedActions
from .conversation import Author, Conversations
from .customer_reads import CustomerReads
from .events import InboxEvent
from .profiles import Profiles
from .receipts import ReadReceipts
from .threads import Threads
from .transport import Transport


class ChatSdkSide:
    """What the inbox does for Chat SDK customers, each part in its own module."""

    def __init__(self, conversations: Conversations, transport: Transport, *, enabled: bool,
                 converter: ConverterLike, agent_name: str,
                 classify: Callable[[WireMessage], tuple[Author, str | None]],
                 clock: Callable[[], datetime],
                 emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 add: Callable[[Any], object]) -> None:
        self.enabled = enabled
        self._spawn = spawn
        self.threads = Threads(conversations, transport, converter=converter,
                               agent_name=agent_name, classify=classify, clock=clock,
                               emit=emit, spawn=spawn, enabled=enabled)
        self.actions = AppliedActions(conversations, transport, emit=emit, add=add,
                                      on_thread=self.threads.noticed)
        self.profiles = Profiles(conversations, transport, emit=emit, spawn=spawn,
                                 enabled=enabled)
        self.receipts = ReadReceipts(transport, spawn=spawn, enabled=enabled)
        self.reads = CustomerReads(conversations, transport, emit=emit, spawn=spawn,
                                   enabled=enabled)

    def opened(self, channel: str) -> None:
        """The agent opened `channel`: its newest page with edits, reactions, threads,
        and how far the customer has read."""
        if self.enabled:
            self._spawn(self.actions.read_newest(channel))
            self.reads.opened(channel)

    def reconnected(self, open_channel: str | None) -> None:
        """Actions, replies and read positions written while the link was cut off never
        arrive live: read them again."""
        if self.enabled:
            self.actions.forget()
            self.reads.forget()
            self.threads.reconnected()
            if open_channel is not None:
                self.opened(open_channel)
