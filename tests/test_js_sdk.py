"""PubNub's JavaScript SDK (npm `pubnub`) against local_pubnub, unchanged.

Runs tests/js/sdk_check.mjs (publish, subscribe to channels, groups and wildcards with
presence, filters, signals, history, message counts, here-now, unsubscribe) against an
in-process server, once with the SDK's default event-engine subscribe loop and once with
its older subscription manager. The npm packages are installed into tests/js once (from
package-lock.json) and reused; the test is skipped only when node/npm are missing or the
npm registry cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub

JS_DIR = Path(__file__).parent / "js"
SCRIPT = JS_DIR / "sdk_check.mjs"
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 60  # the script bounds itself at 30 s
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
    return JS_DIR


@pytest.mark.parametrize("mode", ["event-engine", "legacy-subscribe"])
async def test_js_sdk_works_against_local_server(
    js_sdk: Path, local_server: LocalPubNub, mode: str
) -> None:
    args = [str(SCRIPT), local_server.origin]
    if mode == "legacy-subscribe":
        args.append("--legacy-subscribe")
    process = await asyncio.create_subprocess_exec(
        "node", *args, cwd=js_sdk,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"sdk_check.mjs ({mode}) still running after {RUN_TIMEOUT}s")
    text = output.decode("utf-8", "replace")
    summary = re.search(r"js sdk[^:]*: (\d+)/(\d+) checks", text)
    failures = [line for line in text.splitlines() if line.startswith("FAIL")]
    presence = [line for line in failures if line.startswith("FAIL [presence]")]
    report = text if not failures else "\n".join(failures)
    if presence and len(presence) == len(failures):
        report = "only presence checks failed (presence service):\n" + report
    assert summary is not None, f"sdk_check.mjs ({mode}) gave no summary:\n{text}"
    assert process.returncode == 0 and not failures, (
        f"JS SDK ({mode}): {summary.group(1)}/{summary.group(2)} checks passed\n{report}")
    assert int(summary.group(2)) >= 50, text
