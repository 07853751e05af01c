"""`suppgram-tui simulate`: the customer simulator, interactive or as a load generator."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import click

from suppgram_tui.converters import ConverterLoadError, load_converter
from suppgram_tui.link.settings import LinkSettings, SettingsError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class SimulateOptions:
    user_id: str | None
    channel: str | None
    group: str
    converter_path: str
    support_user: str
    origin: str | None
    local: bool
    local_port: int
    customers: int | None
    rate: float
    duration: float | None


def customer_settings(options: SimulateOptions) -> LinkSettings:
    """Keys from Suppgram's variables; a local origin works without them."""
    from suppgram_tui.ui.config import LOCAL_PUBLISH_KEY, LOCAL_SUBSCRIBE_KEY

    host = urlsplit(f"//{options.origin}").hostname if options.origin else None
    has_keys = os.environ.get("PUBNUB_PUBLISH_KEY") and os.environ.get("PUBNUB_SUBSCRIBE_KEY")
    common = {"user_id": "customer", "channel_groups": (options.group,)}
    if not has_keys and (options.local or host in LOOPBACK):
        return LinkSettings(LOCAL_PUBLISH_KEY, LOCAL_SUBSCRIBE_KEY, origin=options.origin,
                            ssl=False, local=True, **common)
    settings = LinkSettings.from_environment(origin=options.origin, **common)
    if options.origin:
        from dataclasses import replace
        settings = replace(settings, ssl=False)
    return settings


def run_simulate(options: SimulateOptions) -> None:
    try:
        settings = customer_settings(options)
        converter = load_converter(options.converter_path)
    except (SettingsError, ConverterLoadError) as error:
        raise click.ClickException(str(error)) from None
    if options.customers is not None:
        asyncio.run(_load(settings, converter, options))
        return
    from suppgram_tui.ui.simulator_app import SimulatorApp

    SimulatorApp(settings, converter_path=options.converter_path, group=options.group,
                 support_user=options.support_user, user_id=options.user_id,
                 channel=options.channel,
                 local_port=options.local_port if options.local else None).run()


async def _load(settings: LinkSettings, converter: object, options: SimulateOptions) -> None:
    from dataclasses import replace

    from suppgram_tui.local_pubnub import LocalPubNub, ServerOptions
    from suppgram_tui.simulator.customers import Simulation
    from suppgram_tui.simulator.load import run_load

    server = None
    if options.local:
        server = await LocalPubNub(ServerOptions(port=options.local_port)).start()
        settings = replace(settings, origin=server.origin)
        click.echo(f"local PubNub server listening on {server.url}")
    simulation = Simulation(settings, converter=converter, group=options.group,  # type: ignore[arg-type]
                            support_user=options.support_user)
    try:
        report = await run_load(simulation, customers=options.customers or 1,
                                rate=options.rate, duration=options.duration,
                                report=lambda r: click.echo(r.line()))
        click.echo(report.line())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        await simulation.stop()
        if server is not None:
            await server.stop()
