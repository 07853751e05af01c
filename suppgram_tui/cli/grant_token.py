"""`suppgram-tui grant-token`: mint the support user's Access Manager token."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import click

from suppgram_tui.link.errors import KeysRejected
from suppgram_tui.link.settings import SettingsError
from suppgram_tui.settings import DEFAULT_CHANNEL_GROUP, link_settings_for
from suppgram_tui.timetokens import now_utc

from . import options


@click.command("grant-token")
@click.option("--pubnub-user-id", "user_id", default="support", show_default=True,
              help="The support user the token is for (the console's --pubnub-user-id).")
@options.channel_groups
@click.option("--channel-pattern", default=".*", show_default=True, metavar="REGEX",
              help="The customers' channels the console may read and write.")
@click.option("--ttl", type=click.IntRange(1, 43_200), default=24 * 60, show_default=True,
              help="Minutes until the token expires (PubNub allows at most 30 days).")
@click.option("--origin", default=None, metavar="HOST:PORT",
              help="A PubNub-compatible origin instead of PubNub itself, e.g. a "
                   "`suppgram-tui serve --secret-key` server.")
def grant_token_command(user_id: str, channel_groups: tuple[str, ...], channel_pattern: str,
                        ttl: int, origin: str | None) -> None:
    """Grant the support user a token with exactly what the console needs.

    Run it where PUBNUB_SECRET_KEY is (with PUBNUB_PUBLISH_KEY and PUBNUB_SUBSCRIBE_KEY);
    give the agents the token as PUBNUB_TOKEN instead of the secret key. The token alone
    goes to stdout (`export PUBNUB_TOKEN=$(suppgram-tui grant-token)`); what it grants
    and when it expires go to stderr.
    """
    from suppgram_tui.link.console_token import ConsoleGrant, grant_console_token

    groups = channel_groups or (DEFAULT_CHANNEL_GROUP,)
    try:
        link = link_settings_for(origin, user_id=user_id, channel_groups=groups)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    grant = ConsoleGrant(user_id=user_id, groups=groups, channel_pattern=channel_pattern)
    try:
        token = asyncio.run(grant_console_token(link, grant, ttl))
    except KeysRejected as error:
        raise click.ClickException(str(error)) from None
    expires = (now_utc() + timedelta(minutes=ttl)).strftime("%Y-%m-%d %H:%M UTC")
    click.echo(token)
    click.echo(f"Token for {user_id} on keyset {link.subscribe_key}, valid {ttl} minutes "
               f"(until {expires}). It grants:", err=True)
    for line in grant.lines():
        click.echo(f"  {line}", err=True)
