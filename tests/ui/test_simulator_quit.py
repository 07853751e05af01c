"""Quitting the simulator lets go of every customer's connection."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from suppgram_tui.converters import DefaultMessageConverter
from suppgram_tui.link.settings import LinkSettings
from suppgram_tui.simulator.customers import Simulation
from tests.helpers.keys import PUBLISH_KEY, SUBSCRIBE_KEY


async def test_stopping_the_simulation_leaves_no_unclosed_http_session(local_server):
    """The simulator printed aiohttp's "Unclosed client session" at quit: the customers'
    long polls were never closed."""
    loop = asyncio.get_running_loop()
    complaints: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: complaints.append(context))
    try:
        settings = LinkSettings(PUBLISH_KEY, SUBSCRIBE_KEY, user_id="customer",
                                origin=local_server.origin, ssl=False, local=True)
        simulation = Simulation(settings, converter=DefaultMessageConverter())
        await simulation.add_customer("dana")
        await simulation.say("dana", "hello")
        await simulation.stop()
        del simulation
        await asyncio.sleep(0)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert [c["message"] for c in complaints] == []
