"""`PubNubLink`: everything the console asks of PubNub, through the official SDK."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.model import ConnectionState

from .chat_sdk import ChatSdkCalls
from .errors import KeysRejected, LinkRequestError, PublishRefused, is_transient, refusal
from .events import (
    STATE_PREFIX,
    ConnectionChanged,
    Features,
    LinkEvent,
)
from .file_sharing import FileSharing
from .group_watch import GroupWatch
from .history_calls import HistoryCalls
from .probe import probe_keyset
from .receiver import Receiver
from .refusals import GRANT_HINT
from .sdk import call, make_client
from .settings import LinkSettings
from .shared_state import SharedState, State

log = logging.getLogger(__name__)

MAX_CONNECT_BACKOFF = 5.0


class PubNubLink(HistoryCalls):
    """Connects as the support user; reports what arrives through `on_event`.

    Create it, then `await start()` inside the running event loop: the SDK binds its
    HTTP client to the loop it is created in.
    """

    def __init__(self, settings: LinkSettings, on_event: Callable[[LinkEvent], None]) -> None:
        self.settings = settings
        self._on_event = on_event
        self.pubnub: PubNubAsyncio | None = None
        self.receiver: Receiver | None = None
        self.features = Features()
        self.requests: Counter[str] = Counter()
        """Requests made, by SDK endpoint name (FetchMessages, MessageCount, ...)."""
        self.shared_state = SharedState(lambda: self.client, self._call)
        self.chat_sdk = ChatSdkCalls(lambda: self.client, self._call)
        self.files = FileSharing(lambda: self.client, self._call)
        self._task: asyncio.Task[None] | None = None
        self.group_watch = GroupWatch(settings.channel_groups, self.list_channels, self._emit)
        self._watch_task: asyncio.Task[None] | None = None
        self.unreadable: dict[str, str] = {}
        """Channels a history or count request failed on alone (name → why); skipped."""

    # lifecycle -------------------------------------------------------------------

    async def start(self) -> int:
        """Connect, probe the keyset, handshake; returns the cursor history backfill ends at."""
        self.pubnub = make_client(self.settings, token=self.settings.token)
        self._emit(ConnectionChanged(ConnectionState.CONNECTING))
        await self._wait_until_reachable()
        self.features = await self.probe()
        watched = [STATE_PREFIX + "*"] if self.features.app_context else []
        groups = list(self.settings.channel_groups)
        if self.features.presence:  # customers' join/leave through the groups
            groups += [group + "-pnpres" for group in self.settings.channel_groups]
        self.receiver = Receiver(self.pubnub, groups=groups, channels=watched,
                                 deliver=self._emit)
        cursor = await self._handshake()
        self._task = asyncio.create_task(self._supervise(), name="pubnub-receiver")
        self._watch_task = asyncio.create_task(self.group_watch.run(), name="group-watch")
        return cursor

    async def _handshake(self) -> int:
        """Subscribe; what Access Manager refuses is dropped if the console can do
        without it (state hints, presence), else it cannot work at all: `KeysRejected`."""
        assert self.receiver is not None
        try:
            return await self.receiver.handshake()
        except LinkRequestError as error:
            self._drop_refused(error)
        return await self.receiver.handshake()

    def _drop_refused(self, error: LinkRequestError) -> None:
        if error.key_problem:
            raise KeysRejected(error.key_problem) from None
        refused = {*error.denied.get("channels", []), *error.denied.get("channel-groups", [])}
        if not error.refused or not refused:
            raise error
        if not (self.settings.secret_key or self.settings.token):
            raise KeysRejected("This keyset has Access Manager on: set PUBNUB_SECRET_KEY, or "
                               f"PUBNUB_TOKEN ({GRANT_HINT}).") from None
        if any(group in refused for group in self.settings.channel_groups):
            raise KeysRejected(f"Customer messages cannot arrive: {error} "
                               f"{GRANT_HINT[0].upper()}{GRANT_HINT[1:]}.") from None
        assert self.receiver is not None
        receiver = self.receiver
        receiver.channels = [ch for ch in receiver.channels if ch not in refused]
        receiver.groups = [g for g in receiver.groups if g not in refused]
        notes = list(self.features.notes)
        if any(group.endswith("-pnpres") for group in refused):
            notes.append(f"Presence is not available: {error} Online dots are hidden.")
        if any(channel.startswith(STATE_PREFIX) for channel in refused):
            notes.append(f"Other consoles' claims and tags show late: {error} This console "
                         "re-reads them when it changes a conversation.")
        self.features = replace(self.features, notes=tuple(notes),
                                presence=self.features.presence and not any(
                                    group.endswith("-pnpres") for group in refused))

    async def _wait_until_reachable(self) -> None:
        """Ask for the time until the origin answers at all.

        A console started during an outage connects once it is over, and the replies
        waiting in its outbox go out then. An HTTP error answer (bad keys) is final.
        """
        delay = 0.25
        while True:
            try:
                await self._call(self.client.time())
                return
            except LinkRequestError as error:
                if error.status_code:
                    raise
                words = str(error) if error.reached_nothing \
                    else f"cannot reach PubNub ({error})"
                self._emit(ConnectionChanged(ConnectionState.RECONNECTING,
                                             f"{words}; retrying"[:200]))
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_CONNECT_BACKOFF)

    async def stop(self) -> None:
        if self.receiver is not None:
            self.receiver.stop()
        for task in (self._task, self._watch_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._task = self._watch_task = None
        if self.receiver is not None:
            await self.receiver.close()
        if self.pubnub is not None:
            await self.pubnub.stop()
            self.pubnub = None
        self._emit(ConnectionChanged(ConnectionState.STOPPED))

    async def _supervise(self) -> None:
        """Restart the receive loop if it ever dies: silence is the worst failure."""
        assert self.receiver is not None
        while True:
            try:
                await self.receiver.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.exception("receive loop died; restarting from %s", self.receiver.cursor)
                self._emit(ConnectionChanged(ConnectionState.RECONNECTING,
                                             f"receive loop failed ({error!r}); restarted"))
                await asyncio.sleep(0.5)

    def _emit(self, event: LinkEvent) -> None:
        if isinstance(event, ConnectionChanged) and event.resumed_from:
            self.group_watch.check_soon()
        try:
            self._on_event(event)
        except Exception:
            log.exception("link listener failed on %r", event)

    @property
    def client(self) -> PubNubAsyncio:
        if self.pubnub is None:
            raise RuntimeError("the link is not started")
        return self.pubnub

    async def _call(self, request: Any) -> Any:
        result = await call(request, self.requests)
        if self.receiver is not None:
            self.receiver.server_answered()
        return result

    # probing -------------------------------------------------------------------------

    async def probe(self) -> Features:
        """Ask the keyset what it offers (`probe.py`); each missing feature in words."""
        return await probe_keyset(self.client, self._call, self.settings, self.list_channels)

    # publishing ------------------------------------------------------------------------

    async def publish(self, channel: str, payload: Any, meta: dict[str, Any] | None = None,
                      custom_message_type: str | None = None) -> int:
        """Publish as the support user; returns the timetoken PubNub assigned. A 4xx
        answer (bad request, forbidden, too large) is `PublishRefused`: sending the same
        again cannot help."""
        request = self.client.publish().channel(channel).message(payload)
        if meta:
            request = request.meta(meta)
        if custom_message_type:
            request = request.custom_message_type(custom_message_type)
        if len(repr(payload)) > 8_000:
            request = request.use_post(True)
        try:
            result = await self._call(request)
        except LinkRequestError as error:
            if is_transient(error.status_code):
                raise
            # a 403's words name the permission and the channel; others quote PubNub
            said = str(error) if error.refused else error.detail
            raise PublishRefused(error.status_code or 0,
                                 refusal(error.status_code or 0, said)) from error
        return int(result.timetoken)

    async def send_file(self, channel: str, name: str, data: bytes, *, message: Any = None,
                        meta: dict[str, Any] | None = None,
                        custom_message_type: str | None = None) -> tuple[int, str]:
        """Upload a file to `channel` and publish its file message as the support user;
        its timetoken and the file's id."""
        return await self.files.send(channel, name, data, message=message, meta=meta,
                                     custom_message_type=custom_message_type)

    def file_address(self, channel: str, file_id: str, name: str) -> str:
        """A file's URL as the Chat SDK puts it in a message (no credentials in it)."""
        return self.files.address(channel, file_id, name)

    async def download_file(self, channel: str, file_id: str, name: str) -> bytes:
        """A file's bytes, through the server's download URL (Access Manager decides)."""
        return await self.files.download(channel, file_id, name)

    async def file_sizes(self, channel: str) -> dict[str, int]:
        """file id → bytes, for the files on `channel` (File Sharing's list)."""
        return await self.files.sizes(channel)

    async def signal(self, channel: str, payload: Any) -> None:
        await self._call(self.client.signal().channel(channel).message(payload))

    # presence ---------------------------------------------------------------------------

    async def online(self) -> dict[str, set[str]]:
        """channel → uuids present in the watched groups, for the online dots."""
        if not self.features.presence:
            return {}
        result = await self._call(self.client.here_now()
                                  .channel_groups(list(self.settings.channel_groups))
                                  .include_uuids(True))
        return {ch.channel_name: {o.uuid for o in ch.occupants} for ch in result.channels}

    async def user_profile(self, uuid: str) -> dict[str, str]:
        """A customer's App Context name and email, where set (`chat_sdk.py`)."""
        return await self.chat_sdk.profile(uuid)

    async def set_last_read(self, channel: str, timetoken: int) -> None:
        """The support user has read `channel` up to `timetoken`, as the Chat SDK says it."""
        await self.chat_sdk.set_last_read(self.settings.user_id, channel, timetoken)

    async def last_read(self, channel: str, user: str) -> int | None:
        """How far `user` (a customer) has read `channel`, as their Chat SDK app says."""
        return await self.chat_sdk.last_read(channel, user)

    async def create_thread(self, channel: str, timetoken: int, thread: str) -> None:
        """Start the Chat SDK thread `thread` on the message at `timetoken`."""
        await self.chat_sdk.create_thread(channel, timetoken, thread)

    def watch_channels(self, channels: Iterable[str]) -> None:
        """Receive these channels too, by name, not through a group (Chat SDK threads:
        never a conversation of their own); the poll in flight restarts with them."""
        if self.receiver is not None:
            self.receiver.watch(tuple(channels))

    async def announce_viewing(self, channel: str, agent: str, viewing: bool) -> None:
        """Let other consoles show "Ann is viewing" (a signal, never seen by customers)."""
        payload = {"v" if viewing else "l": agent[:40]}
        await self._call(self.client.signal().channel(STATE_PREFIX + channel).message(payload))

    # shared conversation state (App Context), in shared_state.py ------------------------

    async def conversation_state(self, channel: str) -> State:
        return await self.shared_state.get(channel)

    async def all_conversation_states(self) -> dict[str, State]:
        return await self.shared_state.all()

    async def ensure_conversation_state(self, channel: str) -> State:
        return await self.shared_state.ensure(channel)

    async def update_conversation_state(self, channel: str, custom: dict[str, Any],
                                        etag: str) -> str:
        return await self.shared_state.update(channel, custom, etag)

