"""`suppgram-tui` without a command: check the options, build the settings, run the console."""

from __future__ import annotations

from pathlib import Path

import click

from suppgram_tui import paths
from suppgram_tui.converters import ConverterLoadError, load_converter
from suppgram_tui.link.settings import SettingsError
from suppgram_tui.logging_setup import log_to_file
from suppgram_tui.settings import (
    DEFAULT_CHANNEL_GROUP,
    LOCAL_DATA_FILE,
    AgentSettings,
    Settings,
    UiSettings,
    default_agent_name,
    link_settings_for,
    local_ignores,
)


def run_console(*, user_id: str, channel_groups: tuple[str, ...], converter_path: str,
                ignored_publishers: tuple[str, ...] = (), agent_name: str | None,
                origin: str | None, local: bool, local_port: int,
                data_dir: Path | None, log_file: Path | None) -> None:
    """Validate everything that can be checked offline, then hand over to Textual."""
    from suppgram_tui.local_pubnub import ServerOptions
    from suppgram_tui.ui.app import make_app
    from suppgram_tui.ui.images import detect_image_protocol

    try:
        link = link_settings_for(origin, local=local, user_id=user_id,
                                 channel_groups=channel_groups or (DEFAULT_CHANNEL_GROUP,))
        load_converter(converter_path)
        if user_id in ignored_publishers:
            raise SettingsError(f"--pubnub-ignore-publisher {user_id!r} is the support user "
                                "(--pubnub-user-id): its messages are the agents'.")
    except (SettingsError, ConverterLoadError) as error:
        raise click.ClickException(str(error)) from None
    try:
        data = paths.ensure_private_dir(paths.data_dir(data_dir))
    except OSError as error:
        raise click.ClickException(f"Cannot use the data directory {data_dir or ''}: "
                                   f"{error.strerror}.") from None
    log_to_file(log_file or paths.log_file(data_dir))  # each data directory logs apart
    settings = Settings(
        pubnub=link,
        agent=AgentSettings(name=agent_name or default_agent_name(),
                            converter_path=converter_path,
                            store_path=paths.store_file(data_dir),
                            downloads_dir=paths.downloads_dir(data_dir),
                            ignored_publishers=tuple(dict.fromkeys(ignored_publishers))),
        local=ServerOptions(port=local_port, data_path=str(data / LOCAL_DATA_FILE))
        if local else None,
        notes=tuple(note for note in [local and local_ignores()] if note),
        ui=UiSettings(image_protocol=detect_image_protocol()))
    app = make_app(settings)
    app.run()
    if app.return_code:  # a crash (the report is printed) or keys PubNub rejected (said)
        raise SystemExit(app.return_code)
