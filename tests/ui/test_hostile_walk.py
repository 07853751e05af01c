"""Every screen shows outside text as text (issue 11, item 4: the whole walk).

Agent names, a customer id, tags and payloads made of markup (`[@click=app.quit]`,
`[bold]`, `[link=…]`), an OSC 8 hyperlink and a clear-screen sequence reach a live
console; the agent then walks every screen that can show them: the console, the raw
view (F2), the payload inspector (F7), the help panel (F1), the command palette, the
tag, hand-over and canned-reply prompts (prefilled and typed into), the confirm dialog,
the statistics (F3) and the simulator (F4) with its wire table and inspector. On each:
the hostile text is on screen literally, no segment links anywhere or clicks to an
action the markup named, and the terminal gets no escape sequence but Textual's own.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import DataTable, Input

from suppgram_tui.text import visible
from suppgram_tui.ui.screens.confirm import ConfirmScreen
from suppgram_tui.ui.screens.hand_over import HandOverScreen
from suppgram_tui.ui.screens.help import HelpScreen
from suppgram_tui.ui.screens.payload import PayloadScreen
from suppgram_tui.ui.screens.prompt import PromptScreen
from suppgram_tui.ui.screens.stats import StatsScreen
from suppgram_tui.ui.widgets.composer import Composer
from tests.helpers.console_harness import console_app, open_simulator, wait_ready
from tests.helpers.inbox_harness import GROUP, customer_client, customer_payload
from tests.helpers.screen_checks import (
    assert_no_markup_obeyed,
    assert_terminal_clean,
    screen_text,
    squash,
)
from tests.helpers.wait import wait_until

pytestmark = pytest.mark.slow

CLICK = "[@click=app.quit]x[/]"
BOLD = "[bold]b[/bold]"
LINK = "[link=http://x]l[/link]"
OSC8 = "\x1b]8;;http://x\x07y\x1b]8;;\x07"
CLEAR = "\x1b[2J"
PIECES = (CLICK, BOLD, LINK, OSC8, CLEAR, "$accent", ":warning:")
"""Each short enough to stay on one screen line, wherever the pane wraps."""
HOSTILE = " ".join(PIECES)
AGENT = f"ann{CLICK}{BOLD}"
"""This console's own agent name (from --agent-name)."""
OTHER = f"[@click=app.screenshot('p','/tmp')]bob[/]{OSC8}"
"""Another agent, named in the meta of a reply and as the assignee."""
CUSTOMER = f"[bold]eve[/bold]{CLICK}"
CHANNEL = "walk-support"
TAGS = f"{CLICK},{BOLD},{CLEAR}vip"


def shows(app: Any, where: str, *texts: str) -> None:
    """Each text is on screen as itself (made visible), and nothing was obeyed."""
    on_screen = squash(screen_text(app))
    for text in texts:
        assert squash(visible(text)) in on_screen, (where, text, screen_text(app)[-3000:])
    assert_no_markup_obeyed(app, where)
    assert_terminal_clean(app, where)


async def on(app: Any, pilot: Any, kind: type) -> Any:
    await wait_until(lambda: isinstance(app.screen, kind))
    await pilot.pause()
    return app.screen


async def seed(origin: str) -> None:
    """A customer's hostile message, another agent's hostile reply, hostile state."""
    customer = customer_client(origin, CUSTOMER)
    support = customer_client(origin, "support")
    try:
        await customer.add_channel_to_channel_group().channels([CHANNEL]) \
            .channel_group(GROUP).future()
        await customer.publish().channel(CHANNEL).message(customer_payload(HOSTILE)) \
            .meta({"note": HOSTILE}).future()
        reply = {"kind": "from_agent", "text": f"reply {HOSTILE}",
                 "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f%z")}
        await support.publish().channel(CHANNEL).message(reply) \
            .meta({"agent": OTHER, "client_id": "c-1"}).future()
        await support.set_channel_metadata().channel("suppgram-state." + CHANNEL) \
            .custom({"state": "assigned", "assignee": OTHER, "tags": TAGS}).future()
    finally:
        await customer.stop()
        await support.stop()


async def test_every_screen_shows_hostile_names_tags_and_payloads_as_text(
        local_server, tmp_path):
    await seed(local_server.origin)
    app = console_app(local_server.origin, tmp_path / "ann.json", agent=AGENT)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await wait_ready(app)
        inbox = screen.inbox
        await wait_until(lambda: CHANNEL in inbox.conversations
                         and len(inbox.conversations[CHANNEL].entries) == 2
                         and inbox.conversations[CHANNEL].assignee == OTHER)
        conversations = screen.conversation_list
        await wait_until(lambda: CHANNEL in conversations.rows)
        conversations.select(CHANNEL)
        await wait_until(lambda: screen.channel == CHANNEL)
        await pilot.pause()
        shows(app, "the console", *PIECES, "reply", AGENT)

        await pilot.press("f2")  # raw view: envelopes with the hostile meta
        await pilot.pause()
        shows(app, "the raw view", *PIECES, "timetoken=")
        await pilot.press("f7")
        payload = await on(app, pilot, PayloadScreen)
        shows(app, "the payload inspector", *PIECES, "reply")
        await pilot.press("left")
        await pilot.pause()
        shows(app, "the payload inspector, previous message", *PIECES)
        payload.dismiss()
        await on(app, pilot, type(screen))
        await pilot.press("f2")

        await pilot.press("f1")
        await on(app, pilot, HelpScreen)
        shows(app, "the help screen")
        await pilot.press("f1")
        await on(app, pilot, type(screen))

        await pilot.press("ctrl+p")
        palette = await on(app, pilot, CommandPalette)
        await pilot.press(*"[bold]")
        await pilot.pause(0.3)
        shows(app, "the command palette", "[bold]")
        palette.dismiss()
        await on(app, pilot, type(screen))

        await pilot.press("ctrl+t")  # prefilled with the conversation's hostile tags
        prompt = await on(app, pilot, PromptScreen)
        assert prompt.query_one(Input).value == visible(" ".join(TAGS.split(",")))
        shows(app, "the tag prompt", "Tags (space-separated)", *TAGS.split(","))
        await pilot.press("escape")
        await on(app, pilot, type(screen))

        await pilot.press("ctrl+o")  # typed into
        await on(app, pilot, HandOverScreen)
        await pilot.press(*CLICK, *BOLD)
        await pilot.pause()
        shows(app, "the hand-over prompt", "Hand over the conversation with", CLICK + BOLD)
        await pilot.press("escape")
        await on(app, pilot, type(screen))

        composer = screen.query_one(Composer)
        composer.load_text(HOSTILE)
        await pilot.pause()
        shows(app, "the composer", CLICK, BOLD, LINK)
        screen.action_save_canned()
        prompt = await on(app, pilot, PromptScreen)
        await pilot.press(*"[b]x")
        await pilot.pause()
        shows(app, "the canned-name prompt", "[b]x")
        await pilot.press("escape")
        await on(app, pilot, type(screen))
        composer.load_text("")
        composer.focus()
        app.post_message(events.Paste(f"pasted\r{CLEAR}line"))  # as a terminal's, CR too
        await wait_until(lambda: composer.text == "pasted\n␛[2Jline")
        shows(app, "the composer after a paste", "␛[2Jline")
        composer.load_text("")

        await pilot.press("ctrl+b")  # OTHER has it: asks first, naming them
        await on(app, pilot, ConfirmScreen)
        shows(app, "the confirm dialog", "bob[/]")
        await pilot.press("n")
        await on(app, pilot, type(screen))

        await pilot.press("f3")
        await on(app, pilot, StatsScreen)
        shows(app, "the statistics", "[@click=app.screenshot('p','/tmp')]bob[")  # cut at 40
        await pilot.press("escape")
        await on(app, pilot, type(screen))

        simulator = await open_simulator(app, pilot)
        simulation = simulator.simulation
        await simulation.add_customer(CUSTOMER, "sim-walk-support")
        simulator.select(CUSTOMER)
        await simulation.say(CUSTOMER, HOSTILE)
        await simulation.send_raw(CUSTOMER, {"text": HOSTILE, CLICK: OSC8})
        records = simulator.query_one("#sim-records", DataTable)
        await wait_until(lambda: records.row_count >= 2)
        await pilot.pause(0.3)
        shows(app, "the simulator", CUSTOMER, *PIECES)
        records.move_cursor(row=records.row_count - 1)  # the raw one, in the inspector
        await pilot.pause()
        shows(app, "the simulator's inspector", '"text"', CLICK, OSC8)
        await pilot.press("f4")
        await on(app, pilot, type(screen))
        assert app.is_running
