"""Command-line entry points: the console (default), `serve`, and later `simulate`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from suppgram_tui.converter_check import CheckResult, SampleError, check_converter, load_sample
from suppgram_tui.converters import DEFAULT_CONVERTER_PATH, ConverterLoadError, load_converter
from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions, StoreError, serve


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


class _CheckUsageError(click.ClickException):
    """A converter or sample file that cannot be loaded: one sentence, exit code 2."""

    exit_code = 2


@main.command("check-converter")
@click.argument("converter_path", metavar="MODULE.CLASS")
@click.argument("sample_paths", nargs=-1, metavar="[SAMPLE.json]...",
                type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check_converter_command(ctx: click.Context, converter_path: str,
                            sample_paths: tuple[Path, ...]) -> None:
    """Check a message converter headlessly, for CI: every kind, empty and long text,
    Unicode, time zones and images go to PubNub JSON and back and must come back the same
    and fit PubNub's 32 KiB publish limit.

    Each SAMPLE file holds one JSON payload as your customers' app publishes it; it must
    decode, and re-encode to the same message. Exit code 0 when everything passed, 1 when
    anything failed, 2 when the converter or a sample cannot be loaded.
    """
    try:
        converter = load_converter(converter_path)
        samples = [load_sample(path) for path in sample_paths]
    except (ConverterLoadError, SampleError) as error:
        raise _CheckUsageError(str(error)) from None
    results = check_converter(converter, samples)
    _print_check_results(converter_path, results)
    ctx.exit(0 if all(result.passed for result in results) else 1)


def _print_check_results(converter_path: str, results: list[CheckResult]) -> None:
    """A table on stdout; every converter-produced word is plain text, never markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from suppgram_tui.ui.safe_text import visible

    table = Table(title=Text(f"check-converter {visible(converter_path)}"), title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("details", overflow="fold")
    for result in results:
        status = (Text("skip", style="yellow") if result.skipped
                  else Text("pass", style="green") if result.passed
                  else Text("FAIL", style="bold red"))
        table.add_row(Text(visible(result.name, keep_newlines=False)), status,
                      Text(visible(result.reason, keep_newlines=False)))
    failed = sum(not result.passed for result in results)
    skipped = sum(result.skipped for result in results)
    passed = len(results) - failed - skipped
    console = Console(highlight=False)
    console.print(table)
    console.print(Text(f"{passed} passed, {failed} failed, {skipped} skipped"))


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
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from None


@main.command("simulate")
@click.option("--pubnub-user-id", "user_id", default=None,
              help="The customer's user id. [default: a random one]")
@click.option("--pubnub-channel", "channel", default=None,
              help="The customer's channel. [default: <user id>-support]")
@click.option("--pubnub-channel-group", "group", default="support", show_default=True,
              help="Group the customer's channel joins (the one the console watches).")
@click.option("--pubnub-message-converter", "converter_path", default=DEFAULT_CONVERTER_PATH,
              show_default=True, help="module.Class converting messages to and from JSON.")
@click.option("--support-user", default="support", show_default=True,
              help="The console's support user (its messages are the agents').")
@click.option("--origin", default=None, metavar="HOST:PORT",
              help="PubNub-compatible origin, e.g. the console's --local server "
                   "127.0.0.1:8090 (no keys needed on loopback).")
@click.option("--local", is_flag=True, help="Start a local PubNub server in-process.")
@click.option("--local-port", default=8090, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the --local server.")
@click.option("--customers", type=click.IntRange(1), default=None,
              help="Load mode: run this many scripted customers, no screen.")
@click.option("--rate", type=click.FloatRange(0.01), default=2.0, show_default=True,
              help="Load mode: messages per second across all customers.")
@click.option("--duration", type=click.FloatRange(0.1), default=None,
              help="Load mode: stop after this many seconds. [default: until Ctrl+C]")
def simulate_command(user_id: str | None, channel: str | None, group: str,
                     converter_path: str, support_user: str, origin: str | None, local: bool,
                     local_port: int, customers: int | None, rate: float,
                     duration: float | None) -> None:
    """Chat as simulated customers and inspect every message through your converter.

    Without --customers it opens the simulator screen (also F4 in the console); with it,
    scripted customers open conversations and chat at --rate for demos and benchmarks.
    """
    from suppgram_tui.simulate_command import SimulateOptions, run_simulate

    run_simulate(SimulateOptions(user_id, channel, group, converter_path, support_user,
                                 origin, local, local_port, customers, rate, duration))
