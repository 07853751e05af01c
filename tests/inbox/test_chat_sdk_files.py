"""A customer on PubNub's Chat SDK attaches a file (issue 14 item 10): the console shows
it once, as an attachment of the text it came with, and saves its bytes."""

from __future__ import annotations

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
