"""A customer app on PubNub's Chat SDK (@pubnub/chat 1.0.2 and the pubnub 11.0.1 it pins)
against local_pubnub, unchanged (issue 14 item 4): tests/js/chat_check.mjs."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.js_support import JS_DIR

pytestmark = pytest.mark.js
SECRET = "sec-chat-admin"
"""Only the admin client has it: PubNub's Chat SDK refuses setRestrictions without one."""


async def test_a_chat_sdk_customer_app_works_unchanged(js_sdk: Path) -> None:
    async with LocalPubNub(poll_timeout=5) as server:
        process = await asyncio.create_subprocess_exec(
            "node", str(JS_DIR / "chat_check.mjs"), server.origin, SECRET, cwd=js_sdk,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        output, errors = await asyncio.wait_for(process.communicate(), 90)
    text = output.decode("utf-8", "replace")
    summary = re.search(r"chat sdk: (\d+)/(\d+) checks", text)
    assert summary is not None and process.returncode == 0, \
        text + "\n" + errors.decode("utf-8", "replace")[-3000:]
    assert int(summary.group(2)) >= 17, text
