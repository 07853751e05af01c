"""A reply refused before it went out (too large) still ends the agent's "typing" in the
customer's Chat SDK app: the stop signal is sent, as after a sent reply."""

from __future__ import annotations

import pytest

from suppgram_tui.converters import ChatSdkConverter
from suppgram_tui.inbox import ReplyRefused
from tests.helpers.chat_customer import eventually, wrote

from .test_chat_sdk_console import chat_customer  # noqa: F401 - fixture

pytestmark = pytest.mark.js


async def test_a_refused_reply_sends_the_typing_stop(harnesses, chat_customer):  # noqa: F811
    customer = await chat_customer("cust-refused")
    ann = await harnesses("ann", converter=ChatSdkConverter())
    await wrote(ann, customer, "hello")
    ann.inbox.typing(customer.channel)
    await eventually(lambda: customer.ask("typers"), lambda a: a["typers"] == ["support"])
    with pytest.raises(ReplyRefused):
        await ann.inbox.send_reply(customer.channel, "x" * 40_000)
    await eventually(lambda: customer.ask("typers"), lambda a: a["typers"] == [], timeout=2)
    signals = [s["signal"] for s in (await customer.ask("raw"))["raw"]
               if s["publisher"] == "support"]
    assert signals == [{"type": "typing", "value": True}, {"type": "typing", "value": False}]
