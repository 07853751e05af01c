"""One typed settings tree: everything a console (or the simulator) runs with.

The CLI builds it once from flags and environment; tests and benchmarks build it
directly. The runtime and the UI only read it. Each default is written here once (the
local server's own defaults, such as its 280 s poll hold, live in its `ServerOptions`).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from suppgram_tui.converters import DEFAULT_CONVERTER_PATH
from suppgram_tui.link.settings import LinkSettings, SettingsError
from suppgram_tui.timetokens import now_utc

if TYPE_CHECKING:
    from suppgram_tui.local_pubnub import ServerOptions

LOCAL_PUBLISH_KEY = "pub-c-local"
LOCAL_SUBSCRIBE_KEY = "sub-c-local"
"""The keyset of the embedded local server, when no keys are exported (it takes any)."""
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts that are this machine: a local origin there needs no keys."""
DEFAULT_LOCAL_PORT = 8090
"""Where `--local` and `serve` listen, so customers' apps and other consoles find it."""
DEFAULT_CHANNEL_GROUP = "support"
"""Suppgram's channel group of customer channels."""
LOCAL_DATA_FILE = "local-pubnub.sqlite"
"""The `--local` server's SQLite file, inside the data directory."""


def default_agent_name() -> str:
    """The login name, as an agent's name shown to the others."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


def link_settings_for(origin: str | None = None, *, local: bool = False,
                      user_id: str = "support",
                      channel_groups: tuple[str, ...] = (DEFAULT_CHANNEL_GROUP,),
                      env: Mapping[str, str] | None = None) -> LinkSettings:
    """How to reach PubNub, from Suppgram's environment variables and the origin asked.

    The console, the simulator and grant-token all read them here, so they end up on
    the same keyset. The embedded server (`local`) has Access Manager off: it takes the
    exported keys or the local keyset, and no secret key or token (`local_ignores` says
    so). An origin on this machine while no keys are exported uses the local keyset
    (with PUBNUB_SECRET_KEY or PUBNUB_TOKEN if set, for `serve --secret-key`); anything
    else needs the keys. `origin` is HOST:PORT (TLS off) or an http(s):// URL.
    """
    env = os.environ if env is None else env
    address, ssl = parse_origin(origin) if origin is not None else (None, True)
    has_keys = env.get("PUBNUB_PUBLISH_KEY") and env.get("PUBNUB_SUBSCRIBE_KEY")
    host = urlsplit(f"//{address}").hostname if address else None
    if local or (host in LOOPBACK and not has_keys):
        return LinkSettings(env.get("PUBNUB_PUBLISH_KEY") or LOCAL_PUBLISH_KEY,
                            env.get("PUBNUB_SUBSCRIBE_KEY") or LOCAL_SUBSCRIBE_KEY,
                            user_id=user_id, channel_groups=channel_groups, origin=address,
                            ssl=False if local else ssl, local=True,
                            secret_key=None if local else env.get("PUBNUB_SECRET_KEY") or None,
                            token=None if local else env.get("PUBNUB_TOKEN") or None)
    settings = LinkSettings.from_environment(env, user_id=user_id,
                                             channel_groups=channel_groups, origin=address)
    return replace(settings, ssl=ssl) if address is not None else settings


def parse_origin(origin: str) -> tuple[str, bool]:
    """`--origin` as the SDK takes it (HOST:PORT) and whether TLS is on: HOST:PORT means
    plain HTTP, as `serve` listens; a pasted `http://` or `https://` URL says which."""
    usage = f"--origin must be HOST:PORT or an http(s):// URL, not {origin!r}."
    if "://" in origin:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname \
                or parts.path not in ("", "/") or parts.query or parts.fragment \
                or parts.username or parts.password:
            raise SettingsError(usage)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise SettingsError(usage) from None
        return parts.netloc, parts.scheme == "https"
    host, _, port = origin.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in origin:
        raise SettingsError(usage)
    return origin, False


def local_ignores(env: Mapping[str, str] | None = None) -> str | None:
    """With `--local`: the sentence that says which exported variables it leaves unused."""
    env = os.environ if env is None else env
    unused = [name for name in ("PUBNUB_SECRET_KEY", "PUBNUB_TOKEN") if env.get(name)]
    if not unused:
        return None
    return (f"--local ignores {' and '.join(unused)}: the built-in server runs with Access "
            "Manager off (run `suppgram-tui serve --secret-key` to try Access Manager).")


def keyset_label(subscribe_key: str) -> str:
    """The subscribe key, shortened for a status line: enough to tell keysets apart."""
    if len(subscribe_key) <= 16:
        return subscribe_key
    return f"{subscribe_key[:10]}…{subscribe_key[-4:]}"


@dataclass(frozen=True)
class AgentSettings:
    """Who is at this console and how their customers' messages are read."""

    name: str = field(default_factory=default_agent_name)
    """Shown to other agents and stored in each reply's meta."""
    converter_path: str = DEFAULT_CONVERTER_PATH
    """`module.Class` of the message converter."""
    store_path: Path | None = None
    """The agent-local TinyDB file (in the data directory); None keeps state in a
    temporary file, for tests."""
    ignored_publishers: tuple[str, ...] = ()
    """User ids whose messages are no customer's (bots, other systems): set aside, never
    a conversation (`--pubnub-ignore-publisher`)."""
    downloads_dir: Path | None = None
    """Where Ctrl+S saves attachments (`paths.downloads_dir`); None means the data
    directory's ``downloads/`` of a temporary directory, for tests."""


@dataclass(frozen=True)
class UiSettings:
    """How the console behaves on screen; snapshot tests switch off what varies."""

    notify_sound: bool = True
    """Ring the terminal bell with notifications."""
    presence_signals: bool = True
    """Send typing and "viewing" signals. Off in snapshots: their timing varies, and
    every signal takes a timetoken."""
    cursor_blink: bool = True
    """Off in snapshot tests, so every frame is the same."""
    image_protocol: str | None = None
    """The terminal's image protocol as textual-image found it before the app started
    (``sixel`` or ``kitty``); None shows images as text (`ui.images`)."""
    show_local_origin: bool = True
    """Show the --local server's HOST:PORT and the keyset in the status line (off in
    snapshots)."""


@dataclass(frozen=True)
class SimulatorSettings:
    """The customer simulator (`simulate`, or F4 in the console)."""

    customer: str | None = None
    """User id of the first simulated customer; None picks a random one."""
    channel: str | None = None
    """That customer's channel; None means `<user id>-support`."""
    support_user: str | None = None
    """The console's support user, whose messages are the agents'; None means
    `pubnub.user_id` (the console's own, for F4)."""


@dataclass(frozen=True)
class Settings:
    """Everything one console (or one simulator) runs with."""

    pubnub: LinkSettings
    """How to reach PubNub; with `local`, the origin is filled in once the server runs."""
    agent: AgentSettings = field(default_factory=AgentSettings)
    local: ServerOptions | None = None
    """Start `local_pubnub` in-process with these options and connect to it (`--local`);
    if its port is taken, it listens on a free one instead."""
    ui: UiSettings = field(default_factory=UiSettings)
    simulator: SimulatorSettings = field(default_factory=SimulatorSettings)
    clock: Callable[[], datetime] = now_utc
    """Wall clock for waiting times and replies' times; fixed in snapshot tests."""
    notes: tuple[str, ...] = ()
    """Said to the agent once the console starts (variables `--local` ignores)."""

    @property
    def origin_label(self) -> str:
        """Where the console is connected, as the status line names it."""
        if self.local is not None or self.pubnub.local:
            return "LOCAL"
        return self.pubnub.origin or "PubNub"

    @property
    def support_user(self) -> str:
        """The user id whose messages are the agents' (see `SimulatorSettings`)."""
        return self.simulator.support_user or self.pubnub.user_id
