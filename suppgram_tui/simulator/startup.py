"""Why a simulated customer cannot start, in one sentence, and how to reach the same
keyset from a console.

The simulator acts as the customers' backend: on a keyset with Access Manager it needs
the secret key to add a channel to the group and grant the customer a token. The agents'
token (PUBNUB_TOKEN) is the support user's and can never do that.
"""

from __future__ import annotations

import shlex

from suppgram_tui.link.errors import LinkRequestError
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.settings import DEFAULT_CHANNEL_GROUP, keyset_label


class SimulatorError(Exception):
    """A customer cannot be simulated here; the message is one sentence for the user."""


def explain(error: LinkRequestError, settings: LinkSettings, group: str) -> str:
    """A failed customer start in words: rejected keys, Access Manager, or the request."""
    if error.key_problem:
        return error.key_problem
    if error.refused and not settings.secret_key:
        return ("This keyset has Access Manager on: the simulator needs PUBNUB_SECRET_KEY to "
                f"add customers' channels to group {group} and grant them tokens, as your "
                "backend does (the agents' PUBNUB_TOKEN cannot).")
    if error.status_code is None:
        return f"Cannot reach PubNub at {settings.origin or 'its default origin'}: {error}"
    return f"A customer cannot join group {group}: {error}"


def keyset_text(settings: LinkSettings) -> str:
    """Where the simulator is and on which keyset, as its title says it."""
    return f"{settings.origin or 'PubNub'} · keyset {keyset_label(settings.subscribe_key)}"


def console_command(origin: str, *, group: str, support_user: str) -> str:
    """The console command that watches what this simulator's customers write, ready to
    paste: the console reads the same variables the same way."""
    words = ["suppgram-tui", "--origin", origin]
    if group != DEFAULT_CHANNEL_GROUP:
        words += ["--pubnub-channel-group", group]
    if support_user != "support":
        words += ["--pubnub-user-id", support_user]
    return shlex.join(words)
