"""App Context memberships and members with PubNub's JavaScript SDK, unchanged.

Runs tests/js/members_check.mjs (join, invite, members, read receipt, the Chat SDK's
moderation filter, sort and pages, membership events on the channel and the user's
channel, Access Manager allowed and refused) against two in-process servers: one open
with objects events on, one with a secret key. Once with the SDK tests/js locks (12.x)
and once with the version `@pubnub/chat` (in tests/js/package.json) pins.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.js_support import JS_DIR

pytestmark = pytest.mark.js

SCRIPT = JS_DIR / "members_check.mjs"
SECRET = "members-secret"
KEYSETS = {"sub-c-members": "pub-c-members"}
RUN_TIMEOUT = 60  # the script bounds itself at 30 s
CHAT_SDK_PUBNUB = JS_DIR / "node_modules" / "@pubnub" / "chat" / "node_modules" / "pubnub"
"""Where npm puts the `pubnub` the Chat SDK pins (11.0.1) beside the locked 12.x."""


@pytest.mark.parametrize("sdk", ["locked", "chat-sdk-pin"])
async def test_js_sdk_memberships_and_members(js_sdk: Path, sdk: str) -> None:
    module = "pubnub"
    if sdk == "chat-sdk-pin":
        assert (CHAT_SDK_PUBNUB / "package.json").exists(), "tests/js pins @pubnub/chat"
        module = str(CHAT_SDK_PUBNUB)
    async with LocalPubNub(poll_timeout=2.0, objects_events=True) as open_server, \
            LocalPubNub(poll_timeout=2.0, secret_key=SECRET, keysets=KEYSETS) as pam_server:
        process = await asyncio.create_subprocess_exec(
            "node", str(SCRIPT), open_server.origin, pam_server.origin, SECRET, module,
            cwd=js_sdk, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail(f"members_check.mjs still running after {RUN_TIMEOUT}s")
    text = output.decode("utf-8", "replace")
    summary = re.search(r"js members \(([^)]*)\): (\d+)/(\d+) checks", text)
    failures = [line for line in text.splitlines() if line.startswith("FAIL")]
    assert summary is not None, f"members_check.mjs gave no summary:\n{text}"
    assert process.returncode == 0 and not failures, (
        f"JS SDK {summary.group(1)}: {summary.group(2)}/{summary.group(3)} checks passed\n"
        + "\n".join(failures))
    assert int(summary.group(3)) >= 35, text
