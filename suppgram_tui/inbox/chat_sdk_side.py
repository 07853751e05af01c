"""The Chat SDK's conventions beside the messages, for customers on PubNub's Chat SDK.

On when the converter's class says `chat_sdk = True`: message actions read with history
(`applied_actions.py`; live ones apply whatever the converter), customers' App Context
names (`profiles.py`) and read receipts (`receipts.py`). The typing signal's shape is
`Awareness`'s. Off, none of it asks anything of PubNub: Suppgram users see no change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from .applied_actions import AppliedActions
from .conversation import Conversations
from .events import InboxEvent
from .profiles import Profiles
from .receipts import ReadReceipts
from .transport import Transport


class ChatSdkSide:
    """What the inbox does for Chat SDK customers, each part in its own module."""

    def __init__(self, conversations: Conversations, transport: Transport, *, enabled: bool,
                 emit: Callable[[InboxEvent], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
                 add: Callable[[Any], object]) -> None:
        self.enabled = enabled
        self._spawn = spawn
        self.actions = AppliedActions(conversations, transport, emit=emit, add=add)
        self.profiles = Profiles(conversations, transport, emit=emit, spawn=spawn,
                                 enabled=enabled)
        self.receipts = ReadReceipts(transport, spawn=spawn, enabled=enabled)

    def opened(self, channel: str) -> None:
        """The agent opened `channel`: its newest page with edits, reactions, threads."""
        if self.enabled:
            self._spawn(self.actions.read_newest(channel))

    def reconnected(self, open_channel: str | None) -> None:
        """Actions added while the link was cut off never arrive live: read them again."""
        if self.enabled:
            self.actions.forget()
            if open_channel is not None:
                self.opened(open_channel)
