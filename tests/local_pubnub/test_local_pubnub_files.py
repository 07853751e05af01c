"""File Sharing through the official Python SDK, unchanged (issue 14 item 3)."""

from __future__ import annotations

import aiohttp
import pytest
from pubnub.endpoints.file_operations.fetch_upload_details import FetchFileUploadS3Data
from pubnub.models.subscription import PNEventEmitter

from suppgram_tui.local_pubnub import LocalPubNub
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

SECRET = "sec-files"


@pytest.fixture(autouse=True)
def file_events_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """SDK 10.x kills its receive loop on an `e:4` event (reference §12.1 item 1)."""
    for name in ("channel", "uuid", "membership", "file_message"):
        monkeypatch.setattr(PNEventEmitter, name, lambda self, event: None, raising=False)


async def _send(client, channel: str, name: str, data: bytes, message=None):
    return await client.send_file().channel(channel).file_name(name).file_object(data) \
        .message(message).meta({"kind": "photo"}).should_store(True).future()


async def test_send_list_download_delete_and_the_file_event(make_client):
    sender, watcher = make_client("cust-files"), make_client("agent-files")
    recorder = Recorder()
    watcher.add_listener(recorder)
    watcher.subscribe().channels(["photos"]).execute()
    await wait_until(lambda: recorder.connected)
    picture = bytes(range(256)) * 40
    sent = await _send(sender, "photos", "shot 1.png", picture, {"caption": "my parcel"})
    file_id = sent.result.file_id
    assert sent.result.name == "shot 1.png" and sent.result.timestamp

    await wait_until(lambda: recorder.files)
    event = recorder.files[0]
    assert (event.file_id, event.file_name, event.message) == (
        file_id, "shot 1.png", {"caption": "my parcel"})
    assert event.publisher == "cust-files"

    listed = await watcher.list_files().channel("photos").future()
    assert [(f["id"], f["name"], f["size"]) for f in listed.result.data] == [
        (file_id, "shot 1.png", len(picture))]
    downloaded = await watcher.download_file().channel("photos").file_id(file_id) \
        .file_name("shot 1.png").future()
    assert downloaded.result.data == picture

    history = await watcher.fetch_messages().channels(["photos"]).include_meta(True) \
        .include_message_type(True).future()
    item = history.result.channels["photos"][0]
    assert item.message["file"] == {"id": file_id, "name": "shot 1.png"}
    assert item.message["message"] == {"caption": "my parcel"}
    assert item.meta == {"kind": "photo"}

    await watcher.delete_file().channel("photos").file_id(file_id).file_name("shot 1.png") \
        .future()
    assert (await watcher.list_files().channel("photos").future()).result.data == []
    missing = await watcher.download_file().channel("photos").file_id(file_id) \
        .file_name("shot 1.png").future()
    assert missing.status.is_error() and missing.status.status_code == 404


async def test_files_page_by_next_and_refuse_oversized_ones(make_client):
    client = make_client("cust-pages")
    for i in range(5):
        await _send(client, "many", f"f{i}.txt", f"file {i}".encode())
    first = await client.list_files().channel("many").limit(3).future()
    assert [f["name"] for f in first.result.data] == ["f0.txt", "f1.txt", "f2.txt"]
    rest = await client.list_files().channel("many").limit(3).next(first.result.next).future()
    assert [f["name"] for f in rest.result.data] == ["f3.txt", "f4.txt"]
    assert rest.result.next is None
    # the SDK's send_file fails on an AttributeError when the upload is refused, so the
    # upload is made as the SDK makes it: the form it was given, posted to its URL
    form = await FetchFileUploadS3Data(client).channel("many").file_name("big.bin").future()
    request = form.result.data
    body = aiohttp.FormData()
    for field in request["form_fields"]:
        body.add_field(field["key"], field["value"])
    body.add_field("file", b"x" * (5 * 1024 * 1024 + 1), filename="big.bin")
    async with aiohttp.ClientSession() as session, \
            session.post(request["url"], data=body) as answer:
        assert answer.status == 400
        assert "EntityTooLarge" in await answer.text()
    assert len((await client.list_files().channel("many").future()).result.data) == 5


async def test_access_manager_checks_each_file_operation(make_client):
    async with LocalPubNub(secret_key=SECRET, poll_timeout=2) as server:
        admin = make_client("admin", secret_key=SECRET, origin=server.origin)
        granted = await admin.grant_token().ttl(10).authorized_uuid("cust-am").channels([
            _channel("mine", read=True, write=True)]).future()
        customer = make_client("cust-am", token=granted.result.token, origin=server.origin)
        sent = await _send(customer, "mine", "ok.txt", b"allowed")
        downloaded = await customer.download_file().channel("mine") \
            .file_id(sent.result.file_id).file_name("ok.txt").future()
        assert downloaded.result.data == b"allowed"
        for attempt in (
                FetchFileUploadS3Data(customer).channel("other").file_name("no.txt"),
                customer.list_files().channel("other"),
                customer.delete_file().channel("mine").file_id(sent.result.file_id)
                .file_name("ok.txt")):
            refused = await attempt.future()
            assert refused.status.is_error() and refused.status.status_code == 403
        assert (await admin.list_files().channel("mine").future()).result.data


def _channel(name: str, **permissions: bool):
    from pubnub.models.consumer.v3.channel import Channel

    channel = Channel.id(name)
    for permission, allowed in permissions.items():
        if allowed:
            getattr(channel, permission)()
    return channel
