"""`suppgram-tui` without a command: check the options, then run the console."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from suppgram_tui import paths
from suppgram_tui.converters import ConverterLoadError, load_converter
from suppgram_tui.link.settings import LinkSettings, SettingsError
from suppgram_tui.logging_setup import log_to_file


@dataclass(frozen=True)
class ConsoleOptions:
    user_id: str
    channel_groups: tuple[str, ...]
    converter_path: str
    agent_name: str | None
    origin: str | None
    local: bool
    local_port: int
    data_dir: Path | None
    log_file: Path | None


def link_settings(options: ConsoleOptions) -> LinkSettings:
    """Keys from Suppgram's variables; --local needs none."""
    from suppgram_tui.ui.config import LOCAL_PUBLISH_KEY, LOCAL_SUBSCRIBE_KEY

    common = {"user_id": options.user_id, "channel_groups": options.channel_groups}
    if options.local:
        return LinkSettings(
            publish_key=os.environ.get("PUBNUB_PUBLISH_KEY") or LOCAL_PUBLISH_KEY,
            subscribe_key=os.environ.get("PUBNUB_SUBSCRIBE_KEY") or LOCAL_SUBSCRIBE_KEY,
            ssl=False, local=True, **common)
    if options.origin is not None and (":" not in options.origin
                                       or not options.origin.rsplit(":", 1)[1].isdigit()):
        raise SettingsError(f"--origin must be HOST:PORT, not {options.origin!r}.")
    settings = LinkSettings.from_environment(origin=options.origin, **common)
    if options.origin is not None:
        from dataclasses import replace
        settings = replace(settings, ssl=False)
    return settings


def run_console(options: ConsoleOptions) -> None:
    """Validate everything that can be checked offline, then hand over to Textual."""
    from suppgram_tui.ui.app import make_app
    from suppgram_tui.ui.config import ConsoleConfig, default_agent_name

    try:
        settings = link_settings(options)
        load_converter(options.converter_path)
    except (SettingsError, ConverterLoadError) as error:
        raise click.ClickException(str(error)) from None
    try:
        data_dir = paths.ensure_private_dir(paths.data_dir(options.data_dir))
    except OSError as error:
        raise click.ClickException(f"Cannot use the data directory {options.data_dir or ''}: "
                                   f"{error.strerror}.") from None
    log_to_file(options.log_file or paths.log_file())
    config = ConsoleConfig(
        link=settings, agent_name=options.agent_name or default_agent_name(),
        converter_path=options.converter_path, store_path=paths.store_file(options.data_dir),
        local_server=options.local, local_port=options.local_port,
        local_data_path=data_dir / "local-pubnub.sqlite" if options.local else None)
    make_app(config).run()
