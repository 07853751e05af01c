"""Two consoles claim the same conversation at once, over and over (issue 7, item 4).

Each round both agents press "claim" together; exactly one must win and both must end
up showing the winner. Two ways to start the next round, because each stresses another
part of the protocol:

- one conversation, postponed by the winner after every round: the ETag chain of a
  long-lived state object, where a stale ETag from an earlier round must never win;
- a fresh conversation every round: the state object does not exist yet, so both
  consoles race to create it before they race to claim it.

The server is in-process and the order in which the two claims are started alternates,
with a few jittered rounds, so many interleavings of the requests are tried.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from suppgram_tui.inbox import ClaimLost, ConversationAction
from suppgram_tui.model import ConversationState
from tests.helpers.inbox_harness import GROUP, InboxHarness, customer_client, customer_payload
from tests.helpers.wait import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.slow]

ROUNDS = 100


@pytest.fixture
async def agents(local_server, tmp_path):
    ann = await InboxHarness(local_server.origin, tmp_path / "ann.json", "ann").start()
    bob = await InboxHarness(local_server.origin, tmp_path / "bob.json", "bob").start()
    yield ann, bob
    await ann.stop()
    await bob.stop()


@pytest.fixture
async def customer(local_server):
    client = customer_client(local_server.origin, "racer")
    yield client
    await client.stop()


async def claim_together(ann: InboxHarness, bob: InboxHarness, channel: str,
                         round_number: int, rng: random.Random) -> str:
    """Both claim at once; returns the one winner (fails the test on two or none)."""
    async def claim(harness: InboxHarness, delay: float) -> str | None:
        if delay:
            await asyncio.sleep(delay)
        try:
            await harness.inbox.apply(ConversationAction.CLAIM, channel)
        except ClaimLost:
            return None
        return harness.inbox.agent_name

    jitter = round_number % 4 == 3
    delays = [rng.uniform(0, 0.003) if jitter else 0.0 for _ in range(2)]
    pair = [(ann, delays[0]), (bob, delays[1])]
    if round_number % 2:
        pair.reverse()
    outcomes = await asyncio.gather(*(claim(h, d) for h, d in pair))
    winners = [name for name in outcomes if name is not None]
    assert len(winners) == 1, f"round {round_number}: winners {winners}"
    return winners[0]


async def both_show(ann: InboxHarness, bob: InboxHarness, channel: str,
                    owner: str | None, round_number: int) -> None:
    def agreed() -> bool:
        return all(h.inbox.conversations[channel].assignee == owner for h in (ann, bob))
    try:
        await wait_until(agreed, timeout=5)
    except AssertionError:
        raise AssertionError(
            f"round {round_number}: ann shows {ann.inbox.conversations[channel].assignee}, "
            f"bob shows {bob.inbox.conversations[channel].assignee}, expected {owner}") from None


async def test_one_conversation_claimed_a_hundred_times_has_one_winner_each_round(
        agents, customer, local_server):
    ann, bob = agents
    channel = "race-support"
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP) \
        .future()
    await customer.publish().channel(channel).message(customer_payload("help")).future()
    await wait_until(lambda: ann.texts(channel) and bob.texts(channel))
    rng = random.Random(7)
    wins = {"ann": 0, "bob": 0}
    for round_number in range(ROUNDS):
        winner = await claim_together(ann, bob, channel, round_number, rng)
        wins[winner] += 1
        await both_show(ann, bob, channel, winner, round_number)
        for harness in (ann, bob):
            assert harness.inbox.conversations[channel].state is ConversationState.ASSIGNED
        winning = ann if winner == "ann" else bob
        # back to the queue for the next round
        await winning.inbox.apply(ConversationAction.POSTPONE, channel)
        await both_show(ann, bob, channel, None, round_number)
    assert sum(wins.values()) == ROUNDS
    assert min(wins.values()) > 0, wins  # the race was real: both sides won some rounds


async def test_a_hundred_new_conversations_each_have_one_winner(agents, customer):
    ann, bob = agents
    channels = [f"fresh-{i}-support" for i in range(ROUNDS)]
    for offset in range(0, ROUNDS, 50):
        await customer.add_channel_to_channel_group().channels(channels[offset:offset + 50]) \
            .channel_group(GROUP).future()
    rng = random.Random(11)
    wins = {"ann": 0, "bob": 0}
    for round_number, channel in enumerate(channels):
        await customer.publish().channel(channel).message(customer_payload("hi")).future()
        await wait_until(lambda ch=channel: ann.texts(ch) and bob.texts(ch))
        winner = await claim_together(ann, bob, channel, round_number, rng)
        wins[winner] += 1
        await both_show(ann, bob, channel, winner, round_number)
    assert min(wins.values()) > 0, wins


async def test_a_claim_landing_between_anothers_read_and_create_is_not_overwritten(
        agents, customer):
    """The worst interleaving of two first claims, forced rather than hoped for: bob reads
    "no state yet", ann creates the state and claims, then bob creates it and claims."""
    ann, bob = agents
    channel = "window-support"
    await customer.add_channel_to_channel_group().channels([channel]).channel_group(GROUP) \
        .future()
    await customer.publish().channel(channel).message(customer_payload("hi")).future()
    await wait_until(lambda: ann.texts(channel) and bob.texts(channel))
    read_absent, go_on = asyncio.Event(), asyncio.Event()
    read_state = bob.link.shared_state.get

    async def slow_read(name: str):
        custom, etag = await read_state(name)
        if etag is None:  # bob has seen "no state yet"; let ann act before he goes on
            read_absent.set()
            await go_on.wait()
        return custom, etag

    bob.link.shared_state.get = slow_read  # type: ignore[method-assign]
    bob_claim = asyncio.ensure_future(bob.inbox.apply(ConversationAction.CLAIM, channel))
    await asyncio.wait_for(read_absent.wait(), 5)
    await ann.inbox.apply(ConversationAction.CLAIM, channel)
    go_on.set()
    with pytest.raises(ClaimLost):
        await bob_claim
    await both_show(ann, bob, channel, "ann", 0)
