"""Deterministic scenes of the console for snapshots and screenshots.

The app runs its own in-process server (snapshots run the app in its own event loop);
customers publish through the real SDK; the clock is fixed and the cursor does not blink.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub_asyncio import PubNubAsyncio
from textual.pilot import Pilot

from suppgram_tui.local_pubnub import ServerOptions
from suppgram_tui.settings import (
    LOCAL_PUBLISH_KEY,
    LOCAL_SUBSCRIBE_KEY,
    AgentSettings,
    Settings,
    SimulatorSettings,
    UiSettings,
    link_settings_for,
)
from suppgram_tui.timetokens import TICKS_PER_SECOND, from_datetime
from suppgram_tui.ui.app import SuppgramConsole, make_app
from tests.helpers.console_harness import FIXED_NOW

SIZE = (120, 34)


class ScriptedTimetokens:
    """Timetokens from FIXED_NOW, one second apart: the same screen on every run."""

    def __init__(self) -> None:
        self.next = from_datetime(FIXED_NOW) - 600 * TICKS_PER_SECOND

    def __call__(self) -> int:
        self.next += TICKS_PER_SECOND
        return self.next


def scene_app(store_path: Path) -> SuppgramConsole:
    return make_app(Settings(
        pubnub=link_settings_for(local=True, env={}),
        agent=AgentSettings(name="ann", store_path=store_path),
        local=ServerOptions(port=0, poll_timeout=5, timetoken_source=ScriptedTimetokens()),
        ui=UiSettings(show_local_origin=False, presence_signals=False, notify_sound=False,
                      cursor_blink=False),
        simulator=SimulatorSettings(customer="olga"),
        clock=lambda: FIXED_NOW))


async def until(predicate: Callable[[], object], pilot: Pilot, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("scene did not settle")
        await pilot.pause(0.05)


def message(text: str, kind: str = "from_customer") -> dict[str, str]:
    return {"kind": kind, "time": "2026-11-26T03:52:00.000000+0000", "text": text}


CUSTOMERS = [
    ("dana", ["Hi! My order #1042 hasn't arrived yet.", "It was due on Monday."]),
    ("erik", ["Can I change the delivery address?"]),
    ("mallory", ["[bold]URGENT[/] \x1b[2J please call me"]),
]


async def with_customers(pilot: Pilot) -> None:
    """Three customers write; ann opens dana's conversation, claims it and replies."""
    app = pilot.app
    assert isinstance(app, SuppgramConsole)
    await until(lambda: app.console_screen is not None, pilot)
    origin = app.runtime.server.origin  # type: ignore[union-attr]
    for uuid, texts in CUSTOMERS:
        client = _customer(origin, uuid)
        channel = f"{uuid}-support"
        await client.add_channel_to_channel_group().channels([channel]) \
            .channel_group("support").future()
        for text in texts:
            await client.publish().channel(channel).message(message(text)).future()
        await client.stop()
    inbox = app.console_screen.inbox
    await until(lambda: len(inbox.conversations) == 3, pilot)  # type: ignore[union-attr]
    app.console_screen.conversation_list.select("dana-support")
    await pilot.press("ctrl+g")
    await until(lambda: inbox.conversations["dana-support"].assignee == "ann", pilot)  # type: ignore[union-attr]
    await pilot.press("tab", *"Sorry about that, Dana! Let me check with the courier.",
                      "enter")
    await until(lambda: inbox.conversations["dana-support"].entries[-1].timetoken, pilot)  # type: ignore[union-attr]
    await settle(pilot)


async def simulator(pilot: Pilot) -> None:
    """The simulator over the console scene: olga writes, ann answers, olga sees it."""
    from suppgram_tui.ui.screens.simulator import SimulatorScreen

    await with_customers(pilot)
    app = pilot.app
    await pilot.press("escape", "f4")
    await until(lambda: isinstance(app.screen, SimulatorScreen)
                and app.screen.selected == "olga", pilot)
    screen = app.screen
    await pilot.press(*"Hello, is this the right place for refunds?", "enter")
    await until(lambda: len(screen.simulation.records) == 1, pilot)
    inbox = app.console_screen.inbox  # type: ignore[attr-defined]
    await until(lambda: "olga-support" in inbox.conversations, pilot)
    await inbox.send_reply("olga-support", "Yes! What would you like refunded?")
    await until(lambda: len(screen.simulation.records) == 2, pilot)
    # the reply claims olga's conversation: its App Context writes take timetokens
    await until(lambda: any(n.message == "Claimed: olga-support" for n in app._notifications),
                pilot)
    await screen.simulation.send_raw("olga", {"kind": "from_customer", "text": "no time"})
    await until(lambda: len(screen.simulation.records) == 3, pilot)
    # olga is ann's now, so ann hears of it: wait for the toast before it is cleared
    await until(lambda: any("no time" in n.message for n in app._notifications), pilot)
    await settle(pilot)


async def settle(pilot: Pilot) -> None:
    """Let updates land, drop toasts, and take focus off text boxes (no cursor to race)."""
    await pilot.pause(0.3)
    pilot.app.clear_notifications()
    if pilot.app.focused is not None and pilot.app.focused.id in ("composer", "sim-composer"):
        pilot.app.set_focus(None)
    await pilot.pause(0.1)


async def connected(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, SuppgramConsole)
    await until(lambda: app.console_screen is not None, pilot)
    await settle(pilot)


def then(*steps: Callable[[Pilot], Awaitable[None]]) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        for step in steps:
            await step(pilot)
    return run


def press(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await pilot.press(*keys)
        await asyncio.sleep(0.3)
        await settle(pilot)
    return run


def _customer(origin: str, uuid: str) -> PubNubAsyncio:
    config = PNConfiguration()
    config.subscribe_key, config.publish_key, config.uuid = (LOCAL_SUBSCRIBE_KEY,
                                                             LOCAL_PUBLISH_KEY, uuid)
    config.origin, config.ssl = origin, False
    return PubNubAsyncio(config)
