"""Click options that more than one command takes, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from suppgram_tui.converters import DEFAULT_CONVERTER_PATH
from suppgram_tui.settings import DEFAULT_LOCAL_PORT

Command = TypeVar("Command", bound=Callable[..., object])


def message_converter(command: Command) -> Command:
    """--pubnub-message-converter: the project's converter class."""
    return click.option(
        "--pubnub-message-converter", "converter_path", default=DEFAULT_CONVERTER_PATH,
        show_default=True, help="module.Class converting messages to and from PubNub JSON.",
    )(command)


def channel_groups(command: Command) -> Command:
    """--pubnub-channel-group, repeatable: the groups of customer channels watched."""
    return click.option(
        "--pubnub-channel-group", "channel_groups", multiple=True, callback=_group_names,
        help="Channel group of customer channels (repeat for several). [default: support]",
    )(command)


def ignore_publishers(command: Command) -> Command:
    """--pubnub-ignore-publisher, repeatable: user ids that are no customers."""
    return click.option(
        "--pubnub-ignore-publisher", "ignored_publishers", multiple=True, metavar="USER_ID",
        help="A publisher whose messages are no customer's (a bot, another system): never "
             "a conversation, never unread (repeat for several).",
    )(command)


def channel_group(*, purpose: str) -> Callable[[Command], Command]:
    """--pubnub-channel-group, once: the group one customer's channel joins."""
    return click.option("--pubnub-channel-group", "group", default="support",
                        show_default=True, help=purpose, callback=_group_names)


def _group_names(ctx: click.Context, param: click.Parameter, value: object) -> object:
    """A group name PubNub can take: not empty, no comma (the list separator), no space."""
    for name in value if isinstance(value, tuple) else (value,):
        if not isinstance(name, str) or not name.strip():
            raise click.BadParameter("a channel group name must not be empty.")
        if "," in name or any(char.isspace() for char in name):
            raise click.BadParameter(f"{name!r} is not a channel group name: no commas or "
                                     "spaces.")
    return value


def origin(*, local_data: str) -> Callable[[Command], Command]:
    """--origin, --local and --local-port: where PubNub is, or the built-in server;
    `local_data` says where that server keeps its data."""
    options = [
        click.option("--origin", default=None, metavar="HOST:PORT|URL",
                     help="A PubNub-compatible origin instead of PubNub itself: HOST:PORT "
                          "(TLS off) or an http:// or https:// URL; "
                          "no keys needed on this machine, e.g. for a console's --local "
                          f"server 127.0.0.1:{DEFAULT_LOCAL_PORT}."),
        click.option("--local", is_flag=True,
                     help="Start the built-in local PubNub server in-process and use it; "
                          f"no keys needed. {local_data}"),
        click.option("--local-port", default=DEFAULT_LOCAL_PORT, show_default=True,
                     type=click.IntRange(0, 65535),
                     help="Port of the --local server (a free one if it is taken)."),
    ]

    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate
