"""Command-line entry points: the console (default), `serve`, `simulate`, `check-converter`,
`grant-token`.

One module per command; options that several commands take are declared once in
`options`. Each command builds one `Settings` and hands it on.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import options
from .check_converter import check_converter_command
from .grant_token import grant_token_command
from .serve import serve_command
from .simulate import simulate_command


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="suppgram-tui", prog_name="suppgram-tui")
@click.option("--pubnub-user-id", default="support", show_default=True,
              help="The support user replies are published as; anyone else is a customer.")
@options.channel_groups
@options.message_converter
@options.ignore_publishers
@click.option("--agent-name", default=None,
              help="Your name, shown to other agents and stored in reply meta. "
                   "[default: your login name]")
@options.origin(local_data="Its data lives in the data directory.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where agent-local state (drafts, read markers, outbox) is kept.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Log file. [default: in the user log directory]")
@click.pass_context
def main(ctx: click.Context, pubnub_user_id: str, channel_groups: tuple[str, ...],
         converter_path: str, ignored_publishers: tuple[str, ...], agent_name: str | None,
         origin: str | None, local: bool, local_port: int, data_dir: Path | None,
         log_file: Path | None) -> None:
    """suppgram-tui: a terminal console for support agents whose customers chat over PubNub.

    Without a command it runs the console. Keys come from PUBNUB_PUBLISH_KEY,
    PUBNUB_SUBSCRIBE_KEY and optionally PUBNUB_SECRET_KEY or PUBNUB_TOKEN, as in Suppgram;
    with --local none are needed.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .console import run_console

    run_console(user_id=pubnub_user_id, channel_groups=channel_groups,
                converter_path=converter_path, ignored_publishers=ignored_publishers,
                agent_name=agent_name, origin=origin,
                local=local, local_port=local_port, data_dir=data_dir, log_file=log_file)


main.add_command(check_converter_command)
main.add_command(grant_token_command)
main.add_command(serve_command)
main.add_command(simulate_command)
