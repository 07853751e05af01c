"""The real app against an Access Manager server: rejected keys end it with exit 1 and a
sentence; F4 with the agents' token alone says why it cannot start customers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from suppgram_tui.link.console_token import ConsoleGrant, grant_console_token
from suppgram_tui.local_pubnub import LocalPubNub
from suppgram_tui.ui.app import make_app
from suppgram_tui.ui.screens.simulator import SimulatorScreen
from tests.helpers.console_harness import console_settings, wait_ready
from tests.helpers.keys import PUBLISH_KEY
from tests.helpers.wait import wait_until

SECRET = "sec-c-ui-test"


@pytest.fixture
async def pam_server():
    async with LocalPubNub(secret_key=SECRET, publish_key=PUBLISH_KEY,
                           poll_timeout=2.0) as server:
        yield server


def app_with(server, tmp_path, **link):
    settings = console_settings(server.origin, tmp_path / "ann.json")
    return make_app(replace(settings, pubnub=replace(settings.pubnub, **link)))


async def test_a_wrong_secret_key_exits_1_with_one_sentence(pam_server, tmp_path):
    app = app_with(pam_server, tmp_path, secret_key="not-it")
    async with app.run_test(size=(120, 30)):
        await wait_until(lambda: app.return_code is not None, timeout=15)
    assert app.return_code == 1
    assert app.console_screen is None


async def test_f4_with_only_the_agents_token_says_why_customers_cannot_start(pam_server,
                                                                            tmp_path):
    admin = replace(console_settings(pam_server.origin, tmp_path / "x.json").pubnub,
                    secret_key=SECRET)
    token = await grant_console_token(admin, ConsoleGrant("support", ("support",)), 10)
    app = app_with(pam_server, tmp_path, token=token)
    async with app.run_test(size=(140, 36)) as pilot:
        await wait_ready(app)
        await pilot.press("f4")
        await wait_until(lambda: isinstance(app.screen, SimulatorScreen))
        header = app.screen.query_one("#sim-header")
        await wait_until(lambda: "Access Manager on" in str(header.render()))
        assert "needs PUBNUB_SECRET_KEY" in str(header.render())
        assert "Starting" not in str(header.render())
