"""A converter that raises, returns the wrong type or hangs never takes the inbox down,
loses an agent's words, or changes a conversation without telling its customer (issue 13
items 1, 2 and 7), as the customer's own SDK sees it."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from suppgram_tui.converters import ChatSdkConverter, DefaultMessageConverter
from suppgram_tui.inbox import ActionFailed, Author, ConversationAction, ReplyRefused
from suppgram_tui.model import ConversationState
from suppgram_tui.store import AgentStore, OutboxEntry
from tests.helpers import failing_converters as conv
from tests.helpers.inbox_harness import customer_payload, open_conversation
from tests.helpers.wait import wait_until


@pytest.fixture
def converters(tmp_path):
    yield tmp_path
    conv.forget(tmp_path, "ascii_only", "no_notices", "wrong_types", "hangs", "raises_on_decode")


async def from_support(customer, channel: str) -> list[dict]:
    """Every payload the support user published in `channel`, from the customer's SDK."""
    result = await customer.fetch_messages().channels([channel]).include_meta(True).future()
    return [item.message for item in result.result.channels.get(channel, [])
            if item.uuid == "support"]


async def test_a_reply_the_converter_cannot_encode_is_refused_in_words_and_nothing_is_lost(
        harnesses, customers, converters):
    customer = customers("cust-1")
    await open_conversation(customer, "c1", "how much?")
    ann = await harnesses("ann", converter=conv.load(converters, "ascii_only", conv.ASCII_ONLY))
    where = conv.where("ascii_only", conv.ASCII_ONLY, "RAISES")

    size = ann.inbox.reply_size("c1", "It costs 5 €")  # measured on every keystroke
    assert size.refused and "UnicodeEncodeError" in (size.problem or "")
    with pytest.raises(ReplyRefused) as refused:
        await ann.inbox.send_reply("c1", "It costs 5 €")
    words = str(refused.value)
    assert words.startswith("Not sent: the converter cannot encode this reply: "
                            "convert_to_pubnub raised UnicodeEncodeError: 'ascii' codec")
    assert f"({where})" in words and "Ctrl+L" in words
    assert ann.store.outbox_pending() == [] and ann.texts("c1") == ["how much?"]
    assert await from_support(customer, "c1") == []  # the customer got nothing

    await ann.inbox.send_reply("c1", "It costs 5 EUR")  # the inbox still works
    await wait_until(lambda: ann.store.outbox_pending() == [])
    assert [m["text"] for m in await from_support(customer, "c1")] == ["It costs 5 EUR"]


async def test_a_reply_encoded_as_no_json_is_refused(harnesses, customers, converters):
    customer = customers("cust-2")
    await open_conversation(customer, "c2", "hi")
    ann = await harnesses("ann", converter=conv.load(converters, "wrong_types",
                                                     conv.WRONG_TYPES))
    with pytest.raises(ReplyRefused, match="convert_to_pubnub returned data that is not "
                                           "JSON-serialisable: TypeError"):
        await ann.inbox.send_reply("c2", "hello")
    assert await from_support(customer, "c2") == []


async def test_a_hanging_converter_is_stopped_and_the_reply_refused(
        harnesses, customers, converters):
    customer = customers("cust-3")
    await open_conversation(customer, "c3", "hi")
    ann = await harnesses("ann", converter=conv.load(converters, "hangs", conv.HANGS))
    started = time.monotonic()
    size = ann.inbox.reply_size("c3", "a slow one")
    assert time.monotonic() - started < 5
    where = conv.where("hangs", conv.HANGS, "HANGS ENCODING")
    assert size.problem == f"convert_to_pubnub did not finish within 2 s and was stopped at {where}"
    started = time.monotonic()
    assert ann.inbox.reply_size("c3", "a slow one, longer").problem  # not asked again
    assert time.monotonic() - started < 0.5
    with pytest.raises(ReplyRefused, match="did not finish within 2 s"):
        await ann.inbox.send_reply("c3", "a slow one")
    assert await from_support(customer, "c3") == []
    await ann.inbox.send_reply("c3", "a quick one")  # the console never stopped
    await wait_until(lambda: ann.store.outbox_pending() == [])
    assert [m["text"] for m in await from_support(customer, "c3")] == ["a quick one"]


@pytest.mark.parametrize("action,kind", [(ConversationAction.RESOLVE, "resolved"),
                                         (ConversationAction.POSTPONE, "postponed")])
async def test_resolve_and_postpone_change_nothing_when_the_notice_cannot_be_encoded(
        harnesses, customers, converters, action, kind):
    customer = customers("cust-4")
    await open_conversation(customer, "c4", "help")
    ann = await harnesses("ann", converter=conv.load(converters, "no_notices",
                                                     conv.NO_NOTICES))
    await ann.inbox.apply(ConversationAction.CLAIM, "c4")
    before, _ = await ann.link.conversation_state("c4")

    with pytest.raises(ActionFailed) as failed:
        await ann.inbox.apply(action, "c4")
    where = conv.where("no_notices", conv.NO_NOTICES, "RAISES")
    assert str(failed.value) == (
        f"Could not {action.verb}: the converter cannot encode the customer's notice: "
        f"convert_to_pubnub raised KeyError: '{kind}' ({where}). Nothing changed and the "
        "customer was not told; fix the converter and reload it (Ctrl+L), then try again.")
    after, _ = await ann.link.conversation_state("c4")
    assert after == before and after["state"] == "assigned"
    assert ann.inbox.conversations["c4"].state is ConversationState.ASSIGNED
    assert ann.store.outbox_pending() == []
    assert await from_support(customer, "c4") == []

    ann.inbox.use_converter(DefaultMessageConverter())  # fixed, as Ctrl+L does
    await ann.inbox.apply(action, "c4")  # the agent tries again
    await wait_until(lambda: ann.store.outbox_pending() == [])
    assert [m["kind"] for m in await from_support(customer, "c4")] == [kind]
    after, _ = await ann.link.conversation_state("c4")
    assert after["state"] == ("resolved" if kind == "resolved" else "new")


async def test_a_hanging_notice_changes_nothing(harnesses, customers, converters):
    customer = customers("cust-5")
    await open_conversation(customer, "c5", "help")
    ann = await harnesses("ann", converter=conv.load(converters, "hangs", conv.HANGS))
    started = time.monotonic()
    with pytest.raises(ActionFailed, match="did not finish within 2 s"):
        await ann.inbox.apply(ConversationAction.RESOLVE, "c5")
    assert time.monotonic() - started < 6
    assert ann.inbox.conversations["c5"].state is ConversationState.NEW
    assert await from_support(customer, "c5") == []


async def test_messages_the_converter_cannot_read_show_why_and_the_rest_arrive(
        harnesses, customers, converters):
    customer = customers("cust-6")
    await open_conversation(customer, "c6", "boom")  # in history at start
    await customer.publish().channel("c6").message(customer_payload("odd")).future()
    ann = await harnesses("ann", converter=conv.load(converters, "raises_on_decode",
                                                     conv.RAISES_ON_DECODE))
    [boom, odd] = ann.inbox.conversations["c6"].entries
    where = conv.where("raises_on_decode", conv.RAISES_ON_DECODE, "RAISES")
    assert boom.error == f"convert_from_pubnub raised KeyError: 'no such field' ({where})"
    assert odd.message is not None  # this one decodes
    await customer.publish().channel("c6").message(customer_payload("boom")).future()  # live
    await customer.publish().channel("c6").message(customer_payload("after")).future()
    await wait_until(lambda: "after" in ann.texts("c6"))
    assert ann.inbox.conversations["c6"].entries[-2].error.startswith(
        "convert_from_pubnub raised KeyError")


async def test_wrong_types_and_hangs_on_decode_become_undecodable_entries(
        harnesses, customers, converters):
    customer = customers("cust-7")
    await open_conversation(customer, "c7", "odd")
    ann = await harnesses("ann", converter=conv.load(converters, "wrong_types",
                                                     conv.WRONG_TYPES))
    [odd] = ann.inbox.conversations["c7"].entries
    assert odd.error == "the converter returned dict, which is not a message (it has no 'kind')"
    await ann.stop()

    await customer.publish().channel("c7").message(customer_payload("slow")).future()
    bob = await harnesses("bob", converter=conv.load(converters, "hangs", conv.HANGS))
    slow = bob.inbox.conversations["c7"].entries[-1]
    assert slow.author is Author.CUSTOMER and slow.message is None
    assert slow.error.startswith("convert_from_pubnub did not finish within 2 s and was "
                                 f"stopped at {conv.where('hangs', conv.HANGS, 'HANGS DECODING')}")
    await customer.publish().channel("c7").message(customer_payload("still here")).future()
    await wait_until(lambda: "still here" in bob.texts("c7"))


async def test_a_pending_reply_after_a_restart_shows_when_it_was_written(
        harnesses, local_server, tmp_path):
    """Item 7: a timetoken-based converter read a not-yet-sent reply at timetoken 0
    (00:00, 1 January 1970)."""
    written = datetime(2026, 11, 26, 9, 41, 7, tzinfo=timezone.utc)
    earlier_run = AgentStore(tmp_path / "ann.json")
    earlier_run.outbox_add(OutboxEntry("c0ffee", "c8", {"type": "text", "text": "on my way"},
                                       {"agent": "ann", "client_id": "c0ffee"},
                                       created=written))
    await earlier_run.save()
    earlier_run.close()
    ann = await harnesses("ann", converter=ChatSdkConverter())
    [entry] = [e for e in ann.inbox.conversations["c8"].entries if e.client_id == "c0ffee"]
    assert entry.message is not None and entry.message.time_utc == written


async def test_a_converter_that_hangs_on_everything_costs_three_hangs_not_one_per_message(
        harnesses, customers, converters):
    customer = customers("cust-9")
    await open_conversation(customer, "c9", "slow")
    for _ in range(5):
        await customer.publish().channel("c9").message(customer_payload("slow")).future()
    started = time.monotonic()
    ann = await harnesses("ann", converter=conv.load(converters, "hangs", conv.HANGS))
    assert time.monotonic() - started < 12  # 3 hangs of 2 s, then none is tried
    errors = [entry.error for entry in ann.inbox.conversations["c9"].entries]
    assert len(errors) == 6
    assert all(e.startswith("convert_from_pubnub did not finish") for e in errors[:3])
    assert all(e.startswith("not read: the converter hung on 3 messages in a row (")
               and e.endswith("fix it and reload it (Ctrl+L) to read this one")
               for e in errors[3:])

    assert ann.inbox.use_converter(DefaultMessageConverter()) == 6  # Ctrl+L, fixed
    assert ann.texts("c9") == ["slow"] * 6
    assert all(entry.error is None for entry in ann.inbox.conversations["c9"].entries)


async def test_a_pending_reply_the_converter_cannot_read_still_starts_and_goes_out(
        harnesses, customers, converters, tmp_path):
    customer = customers("cust-10")
    await open_conversation(customer, "c10", "hello")
    earlier_run = AgentStore(tmp_path / "ann.json")
    earlier_run.outbox_add(OutboxEntry("b0b", "c10", customer_payload("boom", "from_agent"),
                                       {"agent": "ann", "client_id": "b0b"}))
    await earlier_run.save()
    earlier_run.close()
    ann = await harnesses("ann", converter=conv.load(converters, "raises_on_decode",
                                                     conv.RAISES_ON_DECODE))
    [entry] = [e for e in ann.inbox.conversations["c10"].entries if e.client_id == "b0b"]
    assert entry.message is None and entry.author is Author.ME
    assert entry.error.startswith("convert_from_pubnub raised KeyError")
    await wait_until(lambda: ann.store.outbox_pending() == [])
    assert [m["text"] for m in await from_support(customer, "c10")] == ["boom"]
