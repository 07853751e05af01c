"""What the console asks of PubNub for customers on the Chat SDK: their App Context
profile (name, email), read positions (membership custom ``lastReadMessageTimetoken``,
which the Chat SDK's read receipts read: the support user's written, a customer's
read) and a thread the agent starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pubnub.models.consumer.message_actions import PNMessageAction
from pubnub.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership
from pubnub.pubnub_asyncio import PubNubAsyncio

from .errors import LinkRequestError
from .sdk import fresh, with_body

LAST_READ = "lastReadMessageTimetoken"
THREAD = "threadRootId"
PROFILE_FIELDS = ("name", "email", "externalId", "profileUrl")


class ChatSdkCalls:
    """The Chat SDK's App Context conventions, through one link's client and counter."""

    def __init__(self, client: Callable[[], PubNubAsyncio],
                 call: Callable[[Any], Awaitable[Any]]) -> None:
        self._client = client
        self._call = call

    async def profile(self, uuid: str) -> dict[str, str]:
        """The user's App Context name and the like (empty when there is no user)."""
        try:
            result = await self._call(self._client().get_uuid_metadata().uuid(uuid))
        except LinkRequestError as error:
            if error.status_code == 404:
                return {}
            raise
        data = result.data if isinstance(result.data, dict) else {}
        return {key: data[key] for key in PROFILE_FIELDS if isinstance(data.get(key), str)
                and data[key].strip()}

    async def set_last_read(self, user: str, channel: str, timetoken: int) -> None:
        """As the Chat SDK's `Membership.setLastReadMessageTimetoken`: the membership's
        custom, merged, with the timetoken as a string; status and type kept."""
        quoted = channel.replace("\\", "\\\\").replace("'", "\\'")
        found = await self._call(
            self._client().get_memberships().uuid(user).filter(f"channel.id == '{quoted}'")
            .include(MembershipIncludes(custom=True, status=True, type=True)))
        current: dict[str, Any] = next(
            (item for item in found.data or [] if isinstance(item, dict)
             and (item.get("channel") or {}).get("id") == channel), {})
        custom = dict(current.get("custom") or {})
        custom[LAST_READ] = str(timetoken)
        membership = PNChannelMembership(channel, custom, status=current.get("status"),
                                         type=current.get("type"))
        await self._call(self._client().set_memberships().uuid(user)
                         .channel_memberships([membership]))

    async def create_thread(self, channel: str, timetoken: int, thread: str) -> None:
        """As the Chat SDK makes a thread on its first reply: the thread channel's App
        Context metadata (its description names the message), then the `threadRootId`
        action on the message, whose value is the thread's channel."""
        await self._call(with_body(
            fresh(self._client().set_channel_metadata().channel(thread)),
            {"description": f"Thread on channel {channel} with message timetoken {timetoken}"}))
        action = PNMessageAction()
        action.type, action.value, action.message_timetoken = THREAD, thread, str(timetoken)
        await self._call(self._client().add_message_action().channel(channel)
                         .message_action(action))

    async def last_read(self, channel: str, user: str) -> int | None:
        """How far `user` has read `channel`, as its Chat SDK app wrote it (None: never
        marked, or no member)."""
        quoted = user.replace("\\", "\\\\").replace("'", "\\'")
        found = await self._call(
            self._client().get_channel_members().channel(channel)
            .filter(f"uuid.id == '{quoted}'").include(MemberIncludes(custom=True)))
        for item in found.data or []:
            if isinstance(item, dict) and (item.get("uuid") or {}).get("id") == user:
                return last_read_of(item.get("custom"))
        return None


def last_read_of(custom: Any) -> int | None:
    """The Chat SDK's `lastReadMessageTimetoken` in a membership's custom (a string or a
    number), or None."""
    value = custom.get(LAST_READ) if isinstance(custom, dict) else None
    try:
        return int(value) if value is not None and int(value) > 0 else None
    except (TypeError, ValueError):
        return None
