"""Logging goes to a file, never to the terminal the console is drawing on."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TextIO

from suppgram_tui.paths import ensure_private_dir


def log_to_file(path: Path, level: int = logging.INFO) -> None:
    """Send every log record to `path`; quiet the SDK, whose debug lines carry URLs."""
    ensure_private_dir(path.parent)
    handler = logging.StreamHandler(open_private_log(path))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pubnub").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def open_private_log(path: Path) -> TextIO:
    """`path` for appending, readable by this user only: logs name customers and quote
    what went wrong. A regular file someone made wider is narrowed; anything else (a
    pipe, /dev/null) is left as it is."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    if stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "a", encoding="utf-8")
