"""Where the console keeps its files, decided in one place.

Every function takes the ``--data-dir`` value as ``override``: when given, everything
(data, logs, config) lives beneath it, so a test or a second agent profile is fully
isolated; otherwise the platform's usual per-user directories are used. Nothing is
created here except by ``ensure_private_dir``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "suppgram-tui"
STORE_FILE_NAME = "agent-store.json"
LOG_FILE_NAME = "suppgram-tui.log"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Agent-local state (the TinyDB store) lives here."""
    if override is not None:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Logs go to a file here, never to the terminal the app draws on."""
    if override is not None:
        return data_dir(override) / "logs"
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Hand-edited configuration (and, later, user themes) lives here."""
    if override is not None:
        return data_dir(override) / "config"
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def downloads_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where saved attachments go: ``downloads/`` in a ``--data-dir``, else the user's
    Downloads folder if there is one, else ``downloads/`` in the data directory."""
    if override is not None:
        return data_dir(override) / "downloads"
    downloads = platformdirs.user_downloads_path()
    if downloads.is_dir():
        return downloads
    return data_dir() / "downloads"


def store_file(override: str | os.PathLike[str] | None = None) -> Path:
    """The agent's TinyDB file."""
    return data_dir(override) / STORE_FILE_NAME


def log_file(override: str | os.PathLike[str] | None = None) -> Path:
    """The console's log file."""
    return log_dir(override) / LOG_FILE_NAME


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by this user only, since it holds what an
    agent drafted and read; an existing directory is left as it is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
