"""Runs the real console app against local_pubnub, with a fixed clock for snapshots."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from suppgram_tui.converters import DEFAULT_CONVERTER_PATH
from suppgram_tui.settings import AgentSettings, Settings, UiSettings
from suppgram_tui.timetokens import now_utc
from suppgram_tui.ui.app import SuppgramConsole, make_app
from suppgram_tui.ui.screens.console import ConsoleScreen
from suppgram_tui.ui.screens.simulator import SimulatorScreen
from suppgram_tui.ui.widgets.transcript import Transcript
from tests.helpers.inbox_harness import link_settings
from tests.helpers.wait import wait_until

FIXED_NOW = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)


def console_settings(origin: str, store_path: Path, agent: str = "ann", *,
                     hermetic: bool = True,
                     converter_path: str = DEFAULT_CONVERTER_PATH) -> Settings:
    """One agent's console on `origin`; `hermetic`: fixed clock, no cursor blink."""
    return Settings(
        pubnub=link_settings(origin),
        agent=AgentSettings(name=agent, converter_path=converter_path, store_path=store_path),
        ui=UiSettings(notify_sound=False, cursor_blink=not hermetic),
        clock=(lambda: FIXED_NOW) if hermetic else now_utc)


def console_app(origin: str, store_path: Path, agent: str = "ann", *,
                hermetic: bool = True,
                converter_path: str = DEFAULT_CONVERTER_PATH) -> SuppgramConsole:
    """The real console app, as the CLI builds it, from `console_settings`."""
    return make_app(console_settings(origin, store_path, agent, hermetic=hermetic,
                                     converter_path=converter_path))


async def wait_ready(app: SuppgramConsole) -> ConsoleScreen:
    """The console screen, once the inbox has connected and the screen is shown."""
    return await wait_until(lambda: app.console_screen, timeout=15)


def transcript_text(app: SuppgramConsole) -> str:
    if app.console_screen is None:
        return ""
    return app.console_screen.query_one(Transcript).plain_text()


def list_text(app: SuppgramConsole) -> str:
    if app.console_screen is None:
        return ""
    return "\n".join(app.console_screen.conversation_list.plain_rows())


async def open_simulator(app: SuppgramConsole, pilot: Any) -> SimulatorScreen:
    """F4, then wait until the simulator has started and selected its first customer."""
    await pilot.press("f4")
    await wait_until(lambda: isinstance(app.screen, SimulatorScreen)
                     and app.screen.simulation is not None
                     and app.screen.selected is not None)
    assert isinstance(app.screen, SimulatorScreen)
    return app.screen
