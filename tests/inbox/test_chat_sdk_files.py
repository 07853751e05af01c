"""A customer on PubNub's Chat SDK attaches a file (issue 14 item 10): the console shows
it once, as an attachment of the text it came with, and saves its bytes."""

from __future__ import annotations

import asyncio

import pytest
from rich.style import Style

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.ui.widgets.transcript_entry import EntryStyles, message_texts
from tests.helpers.chat_customer import ChatCustomer
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.js
STYLES = EntryStyles(Style(), Style(), Style(), Style())


@pytest.fixture
async def chat_customer(js_sdk, local_server):
    made: list[ChatCustomer] = []

    async def build(user_id: str) -> ChatCustomer:
        customer = await ChatCustomer.start(js_sdk, local_server.origin, user_id)
        made.append(customer)
        return customer

    yield build
    for customer in made:
        await customer.stop()


async def test_a_chat_sdk_file_is_one_attachment_of_its_text(harnesses, chat_customer,
                                                            tmp_path):
    ann = await harnesses("ann", converter=ChatSdkConverter())
    dana = await chat_customer("dana")
    timetoken = int((await dana.ask("file receipt.txt receipt attached"))["timetoken"])
    await wait_until(lambda: (c := ann.inbox.conversations.get(dana.channel))
                     and c.entry_at(timetoken) is not None)
    entry = ann.inbox.conversations[dana.channel].entry_at(timetoken)
    assert entry.text == "receipt attached"
    (file,) = entry.attachments
    assert (file.name, file.mime) == ("receipt.txt", "text/plain")
    shown = "\n".join(text.plain for text in message_texts(entry, STYLES))
    assert "📎 receipt.txt · text/plain" in shown
    # the upload is no second message: one attachment in the conversation, live and
    # once more read from history by a console that starts now
    assert len(ann.inbox.attachments(dana.channel)) == 1
    assert ann.inbox.conversations[dana.channel].unread == 1  # one message, not two
    bob = await harnesses("bob", converter=ChatSdkConverter())
    assert len(bob.inbox.attachments(dana.channel)) == 1
    saved = await ann.inbox.save_attachment(dana.channel, file, tmp_path / "downloads")
    assert saved.read_bytes() == b"contents of receipt.txt"


async def test_the_agents_file_reaches_a_chat_sdk_app_as_a_message_with_a_file(
        harnesses, chat_customer, tmp_path):
    ann = await harnesses("ann", converter=ChatSdkConverter())
    dana = await chat_customer("dana")
    await dana.ask("send can you send the form?")
    await wait_until(lambda: ann.inbox.conversations.get(dana.channel))
    form = tmp_path / "form.txt"
    form.write_text("the form")
    await ann.inbox.send_file(dana.channel, str(form))

    async def heard_file():
        for _ in range(100):
            for message in (await dana.ask("heard"))["heard"]:
                if message.get("files"):
                    return message
            await asyncio.sleep(0.1)
        raise AssertionError("the Chat SDK app heard no message with a file")

    message = await heard_file()
    assert message["userId"] == "support"
    (file,) = message["files"]
    assert (file["name"], file["type"]) == ("form.txt", "text/plain")
    assert "auth=" not in file["url"] and "signature=" not in file["url"]
    downloaded = await dana.ask(f"download {file['id']} form.txt")
    assert downloaded == {"text": "the form"}
    # the console shows it once: the upload and its message are one entry
    await wait_until(lambda: len(ann.inbox.attachments(dana.channel)) == 1
                     and ann.inbox.conversations[dana.channel].entries[-1].attachments)
    await asyncio.sleep(0.3)
    assert len(ann.inbox.attachments(dana.channel)) == 1
