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
import re
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.js_support import JS_DIR

pytestmark = pytest.mark.js

SCRIPT = JS_DIR / "sdk_check.mjs"
RUN_TIMEOUT = 60  # the script bounds itself at 30 s


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
