"""Logging goes to a file, never to the terminal the console is drawing on."""

from __future__ import annotations

import logging
from pathlib import Path

from suppgram_tui.paths import ensure_private_dir


def log_to_file(path: Path, level: int = logging.INFO) -> None:
    """Send every log record to `path`; quiet the SDK, whose debug lines carry URLs."""
    ensure_private_dir(path.parent)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pubnub").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
