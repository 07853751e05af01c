"""Installs PubNub's JavaScript SDK into tests/js once per session, for the JS tests."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent.parent / "js"
INSTALL_TIMEOUT = 300
NETWORK_ERRORS = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|"
    r"network|proxy|socket hang up|request to .* failed", re.IGNORECASE)


def _installed() -> bool:
    """node_modules holds the locked pubnub and is not older than package-lock.json."""
    marker = JS_DIR / "node_modules" / ".package-lock.json"
    sdk = JS_DIR / "node_modules" / "pubnub" / "package.json"
    lock = JS_DIR / "package-lock.json"
    if not (marker.exists() and sdk.exists()):
        return False
    if marker.stat().st_mtime < lock.stat().st_mtime:
        return False
    locked = json.loads(lock.read_text())["packages"]["node_modules/pubnub"]["version"]
    return json.loads(sdk.read_text())["version"] == locked


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    """tests/js with its node_modules installed; skips when Node or the registry is absent."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the JavaScript SDK check (not on PATH)")
    # xdist workers share tests/js: one installs while the others wait for it
    with open(JS_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install(npm)
    return JS_DIR


def _install(npm: str) -> None:
    if not _installed():
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=JS_DIR, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                env={**os.environ, "npm_config_update_notifier": "false"})
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm ci did not finish within {INSTALL_TIMEOUT}s "
                        "(is the npm registry reachable?)")
        if done.returncode != 0:
            output = done.stdout + done.stderr
            if NETWORK_ERRORS.search(output):
                pytest.skip(f"npm registry unreachable, cannot install pubnub: {output[-400:]}")
            pytest.fail(f"npm ci failed in {JS_DIR}:\n{output}")
