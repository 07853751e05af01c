"""Access Manager decides downloads: a console whose token may receive a conversation
but not read its files is told so in a sentence, and nothing is written."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group

from suppgram_tui.inbox import TransferFailed
from suppgram_tui.link.sdk import call
from tests.helpers.inbox_harness import InboxHarness, link_settings
from tests.helpers.wait import wait_until


async def test_a_refused_download_is_said_and_writes_nothing(pam_server, tmp_path):
    # live messages through the group, but no read on the channel: no files either
    live_only = (await call(pam_server.admin.grant_token().ttl(10).authorized_uuid("support")
                            .groups([Group.id("support").read().manage()])
                            .channels([Channel.pattern(".*").write().join()]))).token
    harness = InboxHarness(pam_server.origin, tmp_path / "ann.json", "ann",
                           settings=replace(link_settings(pam_server.origin), token=live_only))
    await harness.start()
    try:
        await call(pam_server.admin.send_file().channel("c1-support").file_name("id.png")
                   .file_object(b"\x89PNG").message({"text": "my id"}).should_store(True))
        await wait_until(lambda: harness.inbox.attachments("c1-support"))
        (file,) = harness.inbox.attachments("c1-support")
        with pytest.raises(TransferFailed, match=r"PubNub refused the download: these keys "
                                                 r"or this token may not read .*HTTP 403"):
            await harness.inbox.save_attachment("c1-support", file, tmp_path / "downloads")
        assert not (tmp_path / "downloads").exists()
    finally:
        await harness.stop()
