"""`suppgram-tui serve`: the PubNub-compatible local server in the foreground."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import click

from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions, StoreError, serve
from suppgram_tui.local_pubnub.options import SUBSCRIBE_HOLD_SECONDS
from suppgram_tui.settings import DEFAULT_LOCAL_PORT, LOOPBACK


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Loopback by default: this is a development server.")
@click.option("--port", default=DEFAULT_LOCAL_PORT, show_default=True,
              type=click.IntRange(0, 65535), help="TCP port (0 picks a free one).")
@click.option("--data", "data_path", type=click.Path(dir_okay=False, writable=True),
              help="SQLite file keeping history, channel groups and the clock across restarts."
                   " Without it, state lives in memory.")
@click.option("--poll-timeout", default=SUBSCRIBE_HOLD_SECONDS, show_default=True,
              type=click.FloatRange(0.1),
              help="Seconds an idle subscribe long-poll is held open.")
@click.option("--secret-key", envvar="LOCAL_PUBNUB_SECRET_KEY", show_envvar=True,
              help="Turn Access Manager on: requests must be signed with this key or carry "
                   "a token it granted. Prefer the environment variable (kept out of ps); "
                   "PUBNUB_SECRET_KEY, the consoles' key, is not read.")
@click.option("--publish-key", envvar="LOCAL_PUBNUB_PUBLISH_KEY", show_envvar=True,
              help="With --secret-key: the publish key signed requests use (a signature "
                   "covers it). Without it, sub-c-X pairs with pub-c-X.")
@click.option("--keyset", "keysets", multiple=True, metavar="PUB:SUB",
              help="With --secret-key: one keyset's publish and subscribe keys; repeat "
                   "for several.")
@click.option("--objects-events", is_flag=True,
              help="Deliver App Context change events to subscribers (off by default, as on "
                   "a new PubNub keyset; SDK 10.8's receive loop dies on them).")
def serve_command(host: str, port: int, data_path: str | None, poll_timeout: float,
                  secret_key: str | None, publish_key: str | None, keysets: tuple[str, ...],
                  objects_events: bool) -> None:
    """Run the PubNub-compatible local server (for development and tests, not production).

    Point any PubNub SDK at it with origin HOST:PORT and TLS off.
    """
    options = ServerOptions(host=host, port=port, data_path=data_path,
                            poll_timeout=poll_timeout, secret_key=secret_key or None,
                            publish_key=publish_key or None, keysets=_keysets(keysets),
                            objects_events=objects_events)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(server: LocalPubNub) -> None:
        click.echo(f"local PubNub server listening on {server.url}", err=False)
        click.echo(access_manager_line(secret_key, server.origin))
        if host not in LOOPBACK:
            click.echo(f"warning: bound to {host}, reachable beyond this machine; "
                       "it is a development server, not a production broker.", err=True)
        sys.stdout.flush()

    try:
        asyncio.run(serve(options, ready))
    except KeyboardInterrupt:
        click.echo("stopped")
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None


def access_manager_line(secret_key: str | None, origin: str) -> str:
    """Said at start, so nobody runs with Access Manager off believing it on."""
    if secret_key:
        return ("Access Manager on: sign with the secret key or send a token granted with it "
                f"(suppgram-tui grant-token --origin {origin})")
    line = "Access Manager off: every request is allowed"
    if os.environ.get("PUBNUB_SECRET_KEY"):
        line += (" (PUBNUB_SECRET_KEY is set, but serve takes its key only from --secret-key "
                 "or LOCAL_PUBNUB_SECRET_KEY)")
    return line


def _keysets(values: tuple[str, ...]) -> dict[str, str]:
    """`PUB:SUB` pairs → subscribe key → publish key."""
    found = {}
    for value in values:
        pub, _, sub = value.partition(":")
        if not pub or not sub:
            raise click.BadParameter(f"{value!r} is not PUB:SUB", param_hint="--keyset")
        found[sub] = pub
    return found
