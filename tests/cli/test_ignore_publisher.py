"""--pubnub-ignore-publisher: publishers that are no customers (issue 13 item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from suppgram_tui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"PUBNUB_PUBLISH_KEY": "",
                                                     "PUBNUB_SUBSCRIBE_KEY": ""})


def test_the_support_user_cannot_be_ignored():
    result = run("--local", "--pubnub-ignore-publisher", "support")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--pubnub-ignore-publisher 'support' is the support user" in result.output


def test_ignored_publishers_reach_the_consoles_settings(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path):
    started = []

    class App:
        return_code = 0

        def run(self) -> None:
            pass

    def make_app(settings):
        started.append(settings)
        return App()

    monkeypatch.setattr("suppgram_tui.ui.app.make_app", make_app)
    result = run("--local", "--data-dir", str(tmp_path), "--pubnub-ignore-publisher",
                 "order-bot", "--pubnub-ignore-publisher", "crm", "--pubnub-ignore-publisher",
                 "order-bot")
    assert result.exit_code == 0, result.output
    [settings] = started
    assert settings.agent.ignored_publishers == ("order-bot", "crm")
    assert "--pubnub-ignore-publisher" in run("--help").output
