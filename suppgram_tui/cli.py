"""Command-line entry points: the console (default), `serve`, and later `simulate`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from suppgram_tui.converters import DEFAULT_CONVERTER_PATH
from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions, serve


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--pubnub-user-id", default="support", show_default=True,
              help="The support user replies are published as; anyone else is a customer.")
@click.option("--pubnub-channel-group", "channel_groups", multiple=True,
              help="Channel group of customer channels (repeat for several). [default: support]")
@click.option("--pubnub-message-converter", "converter_path", default=DEFAULT_CONVERTER_PATH,
              show_default=True, help="module.Class converting messages to and from PubNub JSON.")
@click.option("--agent-name", default=None,
              help="Your name, shown to other agents and stored in reply meta. "
                   "[default: your login name]")
@click.option("--origin", default=None, metavar="HOST:PORT",
              help="A PubNub-compatible origin instead of PubNub itself (TLS off).")
@click.option("--local", is_flag=True,
              help="Start the built-in local PubNub server in-process and use it; "
                   "no keys needed. Its data lives in the data directory.")
@click.option("--local-port", default=8090, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the --local server (a free one if it is taken).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where agent-local state (drafts, read markers, outbox) is kept.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Log file. [default: in the user log directory]")
@click.pass_context
def main(ctx: click.Context, pubnub_user_id: str, channel_groups: tuple[str, ...],
         converter_path: str, agent_name: str | None, origin: str | None, local: bool,
         local_port: int, data_dir: Path | None, log_file: Path | None) -> None:
    """suppgram-tui: a terminal console for support agents whose customers chat over PubNub.

    Without a command it runs the console. Keys come from PUBNUB_PUBLISH_KEY,
    PUBNUB_SUBSCRIBE_KEY and optionally PUBNUB_SECRET_KEY or PUBNUB_TOKEN, as in Suppgram;
    with --local none are needed.
    """
    if ctx.invoked_subcommand is not None:
        return
    from suppgram_tui.console_command import ConsoleOptions, run_console

    run_console(ConsoleOptions(
        user_id=pubnub_user_id, channel_groups=channel_groups or ("support",),
        converter_path=converter_path, agent_name=agent_name, origin=origin, local=local,
        local_port=local_port, data_dir=data_dir, log_file=log_file))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind. Loopback by default: this is a development server.")
@click.option("--port", default=8090, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0 picks a free one).")
@click.option("--data", "data_path", type=click.Path(dir_okay=False, writable=True),
              help="SQLite file keeping history, channel groups and the clock across restarts."
                   " Without it, state lives in memory.")
@click.option("--poll-timeout", default=280.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds an idle subscribe long-poll is held open.")
@click.option("--secret-key", envvar="LOCAL_PUBNUB_SECRET_KEY", show_envvar=True,
              help="Turn Access Manager on: requests must be signed with this key or carry "
                   "a token it granted. Prefer the environment variable (kept out of ps).")
@click.option("--objects-events", is_flag=True,
              help="Deliver App Context change events to subscribers (off by default, as on "
                   "a new PubNub keyset; SDK 10.8's receive loop dies on them).")
def serve_command(host: str, port: int, data_path: str | None, poll_timeout: float,
                  secret_key: str | None, objects_events: bool) -> None:
    """Run the PubNub-compatible local server (for development and tests, not production).

    Point any PubNub SDK at it with origin HOST:PORT and TLS off.
    """
    options = ServerOptions(host=host, port=port, data_path=data_path,
                            poll_timeout=poll_timeout, secret_key=secret_key or None,
                            objects_events=objects_events)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(server: LocalPubNub) -> None:
        click.echo(f"local PubNub server listening on {server.url}", err=False)
        if secret_key:
            click.echo("Access Manager on: sign with the secret key or send a granted token")
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"warning: bound to {host}, reachable beyond this machine; "
                       "it is a development server, not a production broker.", err=True)
        sys.stdout.flush()

    try:
        asyncio.run(serve(options, ready))
    except KeyboardInterrupt:
        click.echo("stopped")
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None
