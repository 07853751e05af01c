"""`suppgram-tui simulate`: the customer simulator, interactive or as a load generator."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import click

from suppgram_tui.converters import ConverterLike, ConverterLoadError, load_converter
from suppgram_tui.link.settings import SettingsError
from suppgram_tui.settings import (
    AgentSettings,
    Settings,
    SimulatorSettings,
    link_settings_for,
    local_ignores,
)

from . import options


@click.command("simulate")
@click.option("--pubnub-user-id", "user_id", default=None,
              help="The customer's user id. [default: a random one]")
@click.option("--pubnub-channel", "channel", default=None,
              help="The customer's channel. [default: <user id>-support]")
@options.channel_group(purpose="Group the customer's channel joins (the one the console "
                               "watches).")
@options.message_converter
@click.option("--support-user", default="support", show_default=True,
              help="The console's support user (its messages are the agents').")
@options.origin(local_data="Its data lives in memory.")
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
    from suppgram_tui.local_pubnub import ServerOptions

    try:
        link = link_settings_for(origin, local=local, user_id="customer",
                                 channel_groups=(group,))
        converter = load_converter(converter_path)
    except (SettingsError, ConverterLoadError) as error:
        raise click.ClickException(str(error)) from None
    settings = Settings(
        pubnub=replace(link, token=None),  # the agents' token is never a customer's
        agent=AgentSettings(converter_path=converter_path),
        local=ServerOptions(port=local_port) if local else None,
        simulator=SimulatorSettings(customer=user_id, channel=channel,
                                    support_user=support_user),
        notes=tuple(note for note in [local and local_ignores()] if note))
    # what it logs is said on screen or stdout already; never Python's bare stderr fallback
    logging.getLogger("suppgram_tui").addHandler(logging.NullHandler())
    if customers is not None:
        # the report line says what failed, in words: not the SDK's own log lines
        for name in ("pubnub", "httpx"):
            logging.getLogger(name).addHandler(logging.NullHandler())
            logging.getLogger(name).propagate = False
        for note in settings.notes:
            click.echo(note, err=True)
        asyncio.run(_load(settings, converter, customers=customers, rate=rate,
                          duration=duration))
        return
    from suppgram_tui.ui.simulator_app import SimulatorApp

    app = SimulatorApp(settings)
    app.run()
    if app.return_code:  # it could not start: the app printed why
        raise SystemExit(app.return_code)


async def _load(settings: Settings, converter: ConverterLike, *, customers: int, rate: float,
                duration: float | None) -> None:
    from suppgram_tui.runtime import start_local_server
    from suppgram_tui.simulator.customers import Simulation
    from suppgram_tui.simulator.load import run_load
    from suppgram_tui.simulator.startup import SimulatorError, console_command, keyset_text

    server, link = None, settings.pubnub
    if settings.local is not None:
        try:
            server, link = await start_local_server(settings, click.echo)
        except OSError as error:
            raise click.ClickException(f"The local server cannot listen on port "
                                       f"{settings.local.port}: {error.strerror}.") from None
        click.echo(f"local PubNub server listening on {server.url}")
        click.echo("Watch it with: " + console_command(
            server.origin, group=link.channel_groups[0], support_user=settings.support_user))
    click.echo(f"Customers on {keyset_text(link)}")
    simulation = Simulation(link, converter=converter, group=link.channel_groups[0],
                            support_user=settings.support_user)
    try:
        report = await run_load(simulation, customers=customers, rate=rate, duration=duration,
                                report=lambda r: click.echo(r.line()))
        click.echo(report.line())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    except SimulatorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        await simulation.stop()
        if server is not None:
            await server.stop()
