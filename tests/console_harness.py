"""Runs the real console app against local_pubnub, with a fixed clock for snapshots."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.ui.app import SuppgramConsole, make_app
from suppgram_tui.ui.config import ConsoleConfig
from suppgram_tui.ui.screens.console import ConsoleScreen
from suppgram_tui.ui.widgets.transcript import Transcript

from .conftest import PUBLISH_KEY, SUBSCRIBE_KEY, wait_until

FIXED_NOW = datetime(2026, 11, 26, 4, 0, tzinfo=timezone.utc)


def console_app(origin: str, store_path: Path, agent: str = "ann", *,
                hermetic: bool = True, **options: Any) -> SuppgramConsole:
    """`options` are further `ConsoleConfig` fields (a converter path, ...)."""
    config = ConsoleConfig(
        link=LinkSettings(PUBLISH_KEY, SUBSCRIBE_KEY, user_id="support",
                          channel_groups=("support",), origin=origin, ssl=False, local=True),
        agent_name=agent, store_path=store_path, notify_sound=False,
        cursor_blink=not hermetic, **({"clock": lambda: FIXED_NOW} if hermetic else {}),
        **options)
    return make_app(config)


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
