"""The console's settings: one typed object the CLI fills and tests build directly."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from suppgram_tui.converters import DEFAULT_CONVERTER_PATH
from suppgram_tui.link.settings import LinkSettings

LOCAL_PUBLISH_KEY = "pub-c-local"
LOCAL_SUBSCRIBE_KEY = "sub-c-local"


def default_agent_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ConsoleConfig:
    """Everything the console needs to start; nothing happens until the app mounts."""

    link: LinkSettings
    """How to reach PubNub; in local mode the origin is filled in once the server runs."""
    agent_name: str = field(default_factory=default_agent_name)
    """Shown to other agents and stored in each reply's meta."""
    converter_path: str = DEFAULT_CONVERTER_PATH
    """`module.Class` of the message converter."""
    store_path: Path | None = None
    """The agent-local TinyDB file; None keeps state in a temporary file (tests)."""
    local_server: bool = False
    """Start `local_pubnub` in-process and connect to it (`--local`)."""
    local_data_path: Path | None = None
    """SQLite file of the in-process server; None keeps it in memory."""
    local_poll_timeout: float = 280.0
    local_server_options: dict[str, Any] = field(default_factory=dict)
    """Extra `ServerOptions` for the in-process server (a scripted clock in snapshots)."""
    local_port: int = 8090
    """Port of the in-process server, so customer clients can reach it (`--local-port`)."""
    clock: Callable[[], datetime] = utc_now
    """Wall clock for waiting times; fixed in snapshot tests."""
    notify_sound: bool = True
    """Ring the terminal bell with notifications."""
    simulator_customer: str | None = None
    """User id of the simulator's first customer (F4); None picks a random one."""
    presence_signals: bool = True
    """Send typing and "viewing" signals. Off in snapshots: their timing varies, and every
    signal takes a timetoken."""
    show_local_origin: bool = True
    """Show the --local server's HOST:PORT in the status line (off in snapshots)."""
    cursor_blink: bool = True
    """Off in snapshot tests, so every frame is the same."""

    @property
    def origin_label(self) -> str:
        if self.local_server or self.link.local:
            return "LOCAL"
        return self.link.origin or "PubNub"
