"""Command-line entry points: the console (default), `serve`, and later `simulate`."""

from __future__ import annotations

import asyncio
import logging
import sys

import click

from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions, serve


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """suppgram-tui: a terminal console for support agents whose customers chat over PubNub."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


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
def serve_command(host: str, port: int, data_path: str | None, poll_timeout: float) -> None:
    """Run the PubNub-compatible local server (for development and tests, not production).

    Point any PubNub SDK at it with origin HOST:PORT and TLS off.
    """
    options = ServerOptions(host=host, port=port, data_path=data_path,
                            poll_timeout=poll_timeout)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(server: LocalPubNub) -> None:
        click.echo(f"local PubNub server listening on {server.url}", err=False)
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
