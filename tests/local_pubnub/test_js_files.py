"""File Sharing through PubNub's JavaScript SDK (tests/js/files_check.mjs), unchanged
(issue 14 item 3)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.js_support import JS_DIR

from .test_js_members import CHAT_SDK_PUBNUB

pytestmark = pytest.mark.js


@pytest.mark.parametrize("sdk", ["locked", "chat-sdk-pin"])
async def test_js_sdk_sends_lists_downloads_and_deletes_files(
        js_sdk: Path, local_server: LocalPubNub, sdk: str) -> None:
    """With the SDK tests/js locks (12.x) and the one @pubnub/chat pins (11.0.1)."""
    module = "pubnub" if sdk == "locked" else str(CHAT_SDK_PUBNUB)
    process = await asyncio.create_subprocess_exec(
        "node", str(JS_DIR / "files_check.mjs"), local_server.origin, module, cwd=js_sdk,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    text = output.decode("utf-8", "replace")
    summary = re.search(r"js files: (\d+)/(\d+) checks", text)
    assert summary is not None and process.returncode == 0, text
    assert int(summary.group(2)) >= 7, text
