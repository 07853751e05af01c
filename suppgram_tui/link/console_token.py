"""The Access Manager token a console needs: exactly the permissions its requests use.

Minted with the secret key (`suppgram-tui grant-token`), so the agents' machines hold
a token that expires instead of the secret key.
"""

from __future__ import annotations

from dataclasses import dataclass

from pubnub.models.consumer.v3.category import Category
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group

from .errors import KeysRejected, LinkRequestError
from .events import STATE_PREFIX
from .sdk import call, make_client
from .settings import LinkSettings

STATE_PATTERN = "^" + STATE_PREFIX.replace(".", r"\.") + ".*$"
"""Every conversation's shared-state channel, `suppgram-state.<channel>`."""
DEFAULT_TTL_MINUTES = 24 * 60
MAX_TTL_MINUTES = 30 * 24 * 60
"""PubNub's longest token life."""


@dataclass(frozen=True)
class ConsoleGrant:
    """What one console's token grants, and why each permission is there."""

    user_id: str
    groups: tuple[str, ...]
    channel_pattern: str = ".*"
    """The customers' channels: any name a backend adds to the group, unless narrowed."""

    def lines(self) -> list[str]:
        """The grants in words, one a line (printed by grant-token, listed in README)."""
        found = []
        for group in self.groups:
            found += [f"channel group {group}: read (subscribe), manage (list its channels)",
                      f"channel group {group}-pnpres: read (customers online)"]
        found += [f"channels matching {self.channel_pattern}: read (history, unread counts,"
                  " presence), write (replies, typing)",
                  f"channels matching {STATE_PATTERN} and {STATE_PREFIX}*: read (hints from"
                  " other consoles), write (hints), get and update (claims, tags, state)",
                  "App Context channels category: get (load every conversation's state)",
                  f"authorized user id: {self.user_id}"]
        return found

    def request(self, client: object, ttl: int) -> object:
        """The SDK's grant-token request for these permissions."""
        groups = []
        for group in self.groups:
            groups += [Group.id(group).read().manage(), Group.id(group + "-pnpres").read()]
        channels = [Channel.pattern(self.channel_pattern).read().write(),
                    Channel.pattern(STATE_PATTERN).read().write().get().update(),
                    Channel.id(STATE_PREFIX + "*").read()]
        return (client.grant_token().ttl(ttl).authorized_uuid(self.user_id)  # type: ignore[attr-defined]
                .groups(groups).channels(channels).categories([Category.channels().get()]))


async def grant_console_token(settings: LinkSettings, grant: ConsoleGrant, ttl: int) -> str:
    """Mint the token with the secret key in `settings`; rejected keys are `KeysRejected`."""
    if not settings.secret_key:
        raise KeysRejected("PUBNUB_SECRET_KEY is not set: only the secret key can grant a "
                           "token.")
    client = make_client(settings, f"{grant.user_id}-grant")
    try:
        result = await call(grant.request(client, ttl))
    except LinkRequestError as error:
        raise KeysRejected(error.key_problem or f"PubNub refused the grant: {error}") from None
    finally:
        await client.stop()
    return str(result.token)
