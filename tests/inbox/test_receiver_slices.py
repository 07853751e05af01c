"""A full subscribe answer is delivered in order, but not in one go: the loop gets turns
between slices of it, so a key pressed meanwhile does not wait for all 100 messages."""

from __future__ import annotations

import asyncio
import time

from suppgram_tui.converters import WireMessage
from suppgram_tui.link.events import LinkEvent
from suppgram_tui.link.receiver import Receiver
from tests.helpers.inbox_harness import customer_client, customer_payload


async def test_a_full_answer_is_delivered_in_order_with_turns_for_the_loop(
        local_server) -> None:
    customer = customer_client(local_server.origin, "slices")
    listener = customer_client(local_server.origin, "support")
    received: list[str] = []
    turns: list[int] = []
    """How many messages were in when another task got the loop."""

    def deliver(event: LinkEvent) -> None:
        if isinstance(event, WireMessage):
            received.append(event.message["text"])
            time.sleep(0.002)  # 2 ms each: a converter and inbox that take their time

    receiver = Receiver(listener, groups=[], channels=["slices-support"], deliver=deliver)
    try:
        await receiver.handshake()
        sent = [f"message {number}" for number in range(100)]
        for text in sent:  # all there before the first poll: one answer of 100
            await customer.publish().channel("slices-support") \
                .message(customer_payload(text)).future()

        async def other_task() -> None:
            while len(received) < len(sent):
                turns.append(len(received))
                await asyncio.sleep(0)

        running = asyncio.create_task(receiver.run())
        await asyncio.wait_for(other_task(), 20)
        assert received == sent
        assert receiver.polls <= 3  # the handshake and one answer (and the next poll)
        assert any(0 < count < len(sent) for count in turns), \
            "no other task ran while the answer was being delivered"
    finally:
        receiver.stop()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await receiver.close()
        await customer.stop()
        await listener.stop()
