"""Agent replies on their way out: stored first, published once, retried with backoff.

A reply is written to the store with a client id, and marked as being sent, before
the first publish: the outbox awaits the store's durable write first. If a publish's
outcome is unknown (timeout, crash, restart), history is searched for that client id
before resending, so a customer never receives the same reply twice.

Only a failure that may pass is retried with backoff (no answer, a 5xx); PubNub
refusing the publish (a 4xx) or another agent holding the conversation fails the reply
at once, with the reason, until the agent retries it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from suppgram_tui.link.errors import LinkRequestError, PublishRefused
from suppgram_tui.store import AgentStore, OutboxEntry, OutboxState, StoreError
from suppgram_tui.timetokens import TICKS_PER_SECOND, from_datetime
from suppgram_tui.waiting import wait_event

from .actions import ActionFailed, ClaimLost
from .transport import Transport

log = logging.getLogger(__name__)

FIRST_RETRY = 0.5
MAX_RETRY = 30.0
RESEND_PAGE = 100
"""Messages per history page when looking for an earlier attempt (PubNub's most)."""
GIVE_UP_AFTER = 8
"""Attempts PubNub answered with an error (a 5xx) before a reply is marked failed; the
agent can retry it by hand. No answer at all (offline) is retried until there is one."""


class Outbox:
    """Publishes stored replies in order; reports each outcome through callbacks."""

    def __init__(self, store: AgentStore, transport: Transport, *,
                 claim: Callable[[str], Awaitable[None]],
                 on_sent: Callable[[OutboxEntry, int], None],
                 on_failed: Callable[[OutboxEntry], None]) -> None:
        self._store = store
        self._transport = transport
        self._claim = claim
        """Claims a conversation for a reply marked `claim`; raises `ClaimLost`."""
        self._on_sent = on_sent
        self._on_failed = on_failed
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> list[OutboxEntry]:
        return self._store.outbox_pending()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox")
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def add(self, entry: OutboxEntry, *, send: bool = True) -> None:
        """Store a reply; `send=False` holds it until `kick` (it is not on disk yet)."""
        self._store.outbox_add(entry)
        if send:
            self._wake.set()

    def drop(self, client_id: str) -> None:
        """Forget a reply that will not be sent (it could not be stored)."""
        self._store.outbox_remove(client_id)

    def retry(self, client_id: str) -> None:
        """The agent asked to try a failed reply again."""
        entry = self._store.outbox_entry(client_id)
        if entry is not None and entry.state is OutboxState.FAILED:
            self._store.outbox_update(replace(entry, state=OutboxState.SENDING,
                                              attempts=entry.attempts))
            self._wake.set()

    def kick(self) -> None:
        """Try now (e.g. the connection came back)."""
        self._wake.set()

    async def _run(self) -> None:
        delay = FIRST_RETRY
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                failed_any = not await self._send_all()
            except Exception:  # noqa: BLE001 - the outbox must outlive any one failure
                log.exception("the outbox failed; trying again")
                failed_any = True
            if failed_any:  # back off; a kick (reconnected, a new reply) cuts it short
                await wait_event(self._wake, delay)
                delay = min(delay * 2, MAX_RETRY)
                self._wake.set()
            else:
                delay = FIRST_RETRY

    async def _send_all(self) -> bool:
        """Send what is pending, in order; False at the first that could not be sent."""
        for entry in self._store.outbox_pending():
            if entry.state is not OutboxState.FAILED and not await self._send(entry):
                return False  # keep order: later replies wait for earlier ones
        return True

    async def _send(self, entry: OutboxEntry) -> bool:
        try:
            if entry.state is OutboxState.SENDING or entry.attempts:
                timetoken = await self._already_published(entry)
                if timetoken is not None:
                    self._store.outbox_remove(entry.client_id)
                    self._on_sent(entry, timetoken)
                    return True
            if entry.claim:
                entry = await self._claimed(entry)
            sending = replace(entry, state=OutboxState.SENDING, attempts=entry.attempts + 1)
            self._store.outbox_update(sending)
            await self._store.save()  # on disk as "sending" before PubNub can have it
            typed = ({"custom_message_type": entry.custom_message_type}
                     if entry.custom_message_type else {})
            timetoken = await self._transport.publish(entry.channel, entry.message, entry.meta,
                                                      **typed)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure is retried or reported
            reason = _reason(error)
            attempts = entry.attempts + 1
            final = isinstance(error, PublishRefused | ClaimLost) or (
                attempts >= GIVE_UP_AFTER and not _no_answer(error))
            state = OutboxState.FAILED if final else OutboxState.SENDING
            failed = replace(entry, state=state, attempts=attempts, last_error=reason,
                             claim=entry.claim and not isinstance(error, ClaimLost))
            log.info("reply %s not sent yet: %s", entry.client_id, reason)
            try:
                if self._store.outbox_entry(entry.client_id) is not None:
                    self._store.outbox_update(failed)
            finally:
                self._on_failed(failed)  # the agent sees why, whatever the store does
            return False
        self._store.outbox_remove(entry.client_id)
        self._on_sent(entry, timetoken)
        return True

    async def _claimed(self, entry: OutboxEntry) -> OutboxEntry:
        """Claim before publishing, so that a reply written offline never lands in another
        agent's conversation. `ClaimLost` fails the reply; a claim PubNub refuses (not
        allowed, say) is logged and the reply goes out anyway, as it would online."""
        try:
            await self._claim(entry.channel)
        except ClaimLost:
            raise
        except ActionFailed as failed:
            if failed.transient:
                raise
            log.warning("reply %s goes out unclaimed: %s", entry.client_id, failed)
        claimed = replace(entry, claim=False)
        self._store.outbox_update(claimed)
        return claimed

    async def _already_published(self, entry: OutboxEntry) -> int | None:
        """The timetoken of this reply if an earlier attempt reached PubNub after all."""
        after = from_datetime(entry.created) - 600 * TICKS_PER_SECOND  # clocks may disagree
        before: int | None = None
        while True:  # page back to `after`, however many messages followed the reply
            page = await self._transport.since(entry.channel, after, RESEND_PAGE, before=before)
            for message in page:
                meta = message.user_metadata
                if isinstance(meta, dict) and meta.get("client_id") == entry.client_id:
                    return message.timetoken
            if len(page) < RESEND_PAGE:
                return None
            before = min(message.timetoken for message in page)


def _no_answer(error: BaseException) -> bool:
    """PubNub was not reached (offline, timed out): nothing to give up on yet."""
    if isinstance(error, ActionFailed) and error.__cause__ is not None:
        error = error.__cause__
    if isinstance(error, LinkRequestError):
        return not error.status_code
    return isinstance(error, asyncio.TimeoutError | OSError)


def _reason(error: BaseException) -> str:
    if isinstance(error, StoreError | PublishRefused):
        return str(error)  # a sentence saying what to do
    if isinstance(error, ClaimLost):
        return str(error)  # who has the conversation
    if isinstance(error, LinkRequestError):
        return str(error)[:200]
    if isinstance(error, asyncio.TimeoutError):
        return "PubNub did not answer in time"
    return (str(error) or type(error).__name__)[:200]
