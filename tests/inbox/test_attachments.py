"""Attachments both ways (issue 14 item 10): a real inbox, local_pubnub, and the official
Python SDK as the customer's app, which sends and receives files with File Sharing."""

from __future__ import annotations

import asyncio

import pytest
from pubnub.models.subscription import PNEventEmitter

from suppgram_tui.converters import ChatSdkConverter, DefaultMessageConverter
from suppgram_tui.inbox import Author, ClaimLost, FileRefused, TransferFailed
from suppgram_tui.inbox.attachments import MAX_FILE_BYTES
from tests.helpers.inbox_harness import GROUP, open_conversation
from tests.helpers.recorder import Recorder
from tests.helpers.wait import wait_until

INVOICE = b"%PDF-1.4 invoice 7 " * 2600  # ~48 KB


@pytest.fixture(autouse=True)
def file_events_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """SDK 10.x kills its receive loop on an `e:4` event (reference §12.1 item 1); the
    customer's app here is that SDK, so it gets the same fix its tests use."""
    for name in ("channel", "uuid", "membership", "file_message"):
        monkeypatch.setattr(PNEventEmitter, name, lambda self, event: None, raising=False)


async def customer_sends_file(customer, channel: str, name: str, data: bytes, message=None):
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP) \
        .future()
    sent = await customer.send_file().channel(channel).file_name(name).file_object(data) \
        .message(message).should_store(True).future()
    return sent.result


def attachments(harness, channel: str) -> list:
    conversation = harness.inbox.conversations.get(channel)
    return [a for e in conversation.entries for a in e.attachments] if conversation else []


async def test_a_customers_file_is_an_attachment_with_name_type_and_size(
        harnesses, customers, tmp_path):
    ann = await harnesses("ann")
    rita = customers("rita")
    sent = await customer_sends_file(rita, "rita-files", "invoice.pdf", INVOICE,
                                     {"text": "my invoice"})
    await wait_until(lambda: attachments(ann, "rita-files"))
    entry = ann.inbox.conversations["rita-files"].entries[-1]
    assert entry.author is Author.CUSTOMER and entry.text == "my invoice"
    assert entry.error is None  # not an undecodable payload: a message with a file
    (file,) = entry.attachments
    assert (file.name, file.mime, file.file_id) == ("invoice.pdf", "application/pdf",
                                                    sent.file_id)
    ann.inbox.show("rita-files")  # the file message has no size: File Sharing's list does
    await wait_until(lambda: attachments(ann, "rita-files")[0].size == len(INVOICE))

    saved = await ann.inbox.save_attachment("rita-files", attachments(ann, "rita-files")[0],
                                            tmp_path / "downloads")
    assert saved == tmp_path / "downloads" / "invoice.pdf"
    assert saved.read_bytes() == INVOICE
    again = await ann.inbox.save_attachment("rita-files", file, tmp_path / "downloads")
    assert again.name == "invoice (1).pdf" and saved.read_bytes() == INVOICE

    # a console started later reads it from history the same way
    bob = await harnesses("bob")
    (from_history,) = attachments(bob, "rita-files")
    assert (from_history.name, from_history.file_id) == ("invoice.pdf", sent.file_id)


async def test_a_deleted_file_is_said_in_words(harnesses, customers, tmp_path):
    ann = await harnesses("ann")
    rita = customers("rita")
    sent = await customer_sends_file(rita, "rita-gone", "photo.png", b"png")
    await wait_until(lambda: attachments(ann, "rita-gone"))
    await rita.delete_file().channel("rita-gone").file_id(sent.file_id) \
        .file_name("photo.png").future()
    with pytest.raises(TransferFailed, match="no longer has this file"):
        await ann.inbox.save_attachment("rita-gone", attachments(ann, "rita-gone")[0],
                                        tmp_path / "downloads")
    assert not (tmp_path / "downloads").exists()  # nothing half-written


async def test_the_agents_file_reaches_the_customers_sdk(harnesses, customers, tmp_path):
    ann = await harnesses("ann")
    rita = customers("rita")
    await open_conversation(rita, "rita-send", "can you send the form?")
    await wait_until(lambda: ann.texts("rita-send"))
    recorder = Recorder()
    rita.add_listener(recorder)
    rita.subscribe().channels(["rita-send"]).execute()
    await wait_until(lambda: recorder.connected)
    form = tmp_path / "form.txt"
    form.write_bytes(b"name: ____\n" * 100)

    await ann.inbox.send_file("rita-send", str(form))
    await wait_until(lambda: recorder.files)
    event = recorder.files[0]
    assert event.file_name == "form.txt" and event.publisher == "support"
    assert event.message["kind"] == "from_agent" and event.message["text"] == "form.txt"
    downloaded = await rita.download_file().channel("rita-send").file_id(event.file_id) \
        .file_name("form.txt").future()
    assert downloaded.result.data == form.read_bytes()
    # answering claimed it, as a reply does; and the agent sees the file sent
    assert ann.inbox.conversations["rita-send"].assignee == "ann"
    await wait_until(lambda: attachments(ann, "rita-send"))
    mine = ann.inbox.conversations["rita-send"].entries[-1]
    assert mine.author is Author.ME and mine.attachments[0].name == "form.txt"


async def test_a_file_is_refused_before_anything_is_sent(harnesses, customers, tmp_path):
    ann = await harnesses("ann")
    rita = customers("rita")
    await open_conversation(rita, "rita-big", "hello")
    await wait_until(lambda: ann.texts("rita-big"))
    big = tmp_path / "big.bin"
    big.write_bytes(b"0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(FileRefused, match=r"5\.0 MB.*at most 5\.0 MB|at most 5\.0 MB"):
        await ann.inbox.send_file("rita-big", str(big))
    with pytest.raises(FileRefused, match="There is no file at"):
        await ann.inbox.send_file("rita-big", str(tmp_path / "missing.pdf"))
    with pytest.raises(FileRefused, match="not a file"):
        await ann.inbox.send_file("rita-big", str(tmp_path))
    listed = await rita.list_files().channel("rita-big").future()
    assert listed.result.data == []
    assert ann.inbox.conversations["rita-big"].assignee is None  # nor claimed


async def test_two_agents_sending_files_at_once_make_one_answer(harnesses, customers,
                                                                tmp_path):
    """Sending a file claims as a reply does: the agent who loses the claim sends
    nothing, and the sentence names who has the conversation."""
    ann, bob = await harnesses("ann"), await harnesses("bob")
    rita = customers("rita")
    await open_conversation(rita, "rita-race", "hello")
    await wait_until(lambda: ann.texts("rita-race") and bob.texts("rita-race"))
    for agent in ("ann", "bob"):
        (tmp_path / f"{agent}.txt").write_text(f"from {agent}")
    outcomes = await asyncio.gather(
        ann.inbox.send_file("rita-race", str(tmp_path / "ann.txt")),
        bob.inbox.send_file("rita-race", str(tmp_path / "bob.txt")), return_exceptions=True)
    lost = [o for o in outcomes if isinstance(o, ClaimLost)]
    assert len(lost) == 1, outcomes
    winner = "bob" if isinstance(outcomes[0], ClaimLost) else "ann"
    assert winner in str(lost[0])
    listed = await rita.list_files().channel("rita-race").future()
    assert [f["name"] for f in listed.result.data] == [f"{winner}.txt"]


async def test_chat_sdk_files_are_attachments(harnesses, customers):
    ann = await harnesses("ann", converter=ChatSdkConverter())
    rita = customers("rita")
    await rita.add_channel_to_channel_group().channels(["rita-chat"]).channel_group(GROUP) \
        .future()
    await rita.publish().channel("rita-chat").message({
        "type": "text", "text": "receipt attached",
        "files": [{"name": "receipt.txt", "id": "f-1", "type": "text/plain",
                   "url": "http://example.invalid/receipt.txt"}]}).future()
    await wait_until(lambda: attachments(ann, "rita-chat"))
    entry = ann.inbox.conversations["rita-chat"].entries[-1]
    assert entry.text == "receipt attached"
    (file,) = entry.attachments
    assert (file.name, file.mime, file.file_id, file.size) == (
        "receipt.txt", "text/plain", "f-1", None)


class CannotEncode(DefaultMessageConverter):
    def convert_to_pubnub(self, message):
        raise ValueError("no replies from this one")


async def test_a_converter_that_cannot_encode_sends_no_file(harnesses, customers, tmp_path):
    ann = await harnesses("ann", converter=CannotEncode())
    rita = customers("rita")
    await open_conversation(rita, "rita-enc", "hello")
    await wait_until(lambda: ann.texts("rita-enc"))
    note = tmp_path / "note.txt"
    note.write_text("hi")
    with pytest.raises(TransferFailed, match=r"The converter could not encode the file's "
                                             r"message: convert_to_pubnub raised ValueError: "
                                             r"no replies from this one \(test_attachments"
                                             r"\.py:\d+\)\. Nothing was sent\."):
        await ann.inbox.send_file("rita-enc", str(note))
    listed = await rita.list_files().channel("rita-enc").future()
    assert listed.result.data == []
