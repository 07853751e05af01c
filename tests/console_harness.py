"""Runs the real console app against local_pubnub, with a fixed clock for snapshots."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.ui.app import SuppgramConsole, make_app
from suppgram_tui.ui.config import ConsoleConfig

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


async def wait_ready(app: SuppgramConsole) -> None:
    await wait_until(lambda: app.console_screen.inbox is not None, timeout=15)


def transcript_text(app: SuppgramConsole) -> str:
    from suppgram_tui.ui.widgets.transcript import Transcript

    transcript = app.console_screen.query_one(Transcript)
    return "\n".join("".join(seg.text for seg in strip) for strip in transcript._lines)


def list_text(app: SuppgramConsole) -> str:
    conversations = app.console_screen.conversation_list
    return "\n".join("".join(seg.text for seg in conversations.render_line(y))
                     for y in range(conversations.size.height))
