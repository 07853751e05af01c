"""Loading what happened before this console started, and while it was cut off.

The subscription's cursor is taken before history is read, so nothing published in
between is missed; the overlap is removed by timetoken.
"""

from __future__ import annotations

from suppgram_tui.store import AgentStore

from .awareness import Awareness
from .conversation import Conversations
from .ingest import Ingest, count_unread
from .transport import Transport

BACKFILL_BUDGET = 50_000
"""Messages loaded at startup across all conversations: 25 each (the most a multi-channel
fetch returns) up to 2,000 conversations, fewer beyond, so that 10,000 conversations fit
in memory (each loaded message costs about 1 KB). A conversation loads older messages
when it is opened."""


class Startup:
    """Channels, shared state, recent history, unread counts and presence, in that order."""

    def __init__(self, conversations: Conversations, transport: Transport, store: AgentStore,
                 *, ingest: Ingest, awareness: Awareness) -> None:
        self.conversations = conversations
        self.transport = transport
        self.store = store
        self.ingest = ingest
        self.awareness = awareness

    async def load(self) -> None:
        """Everything the console shows at start, once the link is connected and probed."""
        features = self.transport.features
        channels = await self.transport.all_channels()
        for channel, group in channels.items():
            self.conversations.ensure(channel).group = group
        if features.app_context:
            states = await self.transport.all_conversation_states()
            for channel, (custom, etag) in states.items():
                if channel in self.conversations:
                    self.conversations[channel].apply_shared_state(custom, etag)
        if features.history and channels:
            per_channel = max(1, min(25, BACKFILL_BUDGET // len(channels)))
            async for backfilled in self.transport.backfill(channels, per_channel=per_channel):
                for messages in backfilled.values():
                    for wire in messages:
                        self.ingest.add(wire, live=False)
            await self._load_unread(list(channels))
            self.ingest.reopen_missed()
        await self.awareness.load_presence()

    async def _load_unread(self, channels: list[str]) -> None:
        """Unread = customer messages after my read marker; counted server-side when the
        marker is older than what was loaded (one request per 100 channels)."""
        markers = self.store.read_markers()
        ask: dict[str, int] = {}
        for channel in channels:
            conversation = self.conversations[channel]
            marker = markers.get(channel, 0)
            conversation.read_marker = marker
            oldest = conversation.oldest_timetoken
            if marker and oldest is not None and marker < oldest:
                ask[channel] = marker
            else:
                conversation.unread = count_unread(conversation)
        if ask:
            for channel, count in (await self.transport.unread_counts(ask)).items():
                self.conversations[channel].unread = count

    async def catch_up(self, cursor: int) -> None:
        """After a gap, read history since the last cursor: PubNub's buffer is short."""
        channels = list(self.conversations)
        counts = await self.transport.unread_counts({ch: cursor for ch in channels})
        busy = [ch for ch, count in counts.items() if count]
        if busy:
            async for missed in self.transport.backfill(busy, end=cursor + 1):
                for messages in missed.values():
                    for wire in messages:
                        self.ingest.add(wire, live=True)
