"""The command line: clear one-sentence errors, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from suppgram_tui.cli import main


def run(*args: str, env: dict[str, str] | None = None):
    base = {"PUBNUB_PUBLISH_KEY": "", "PUBNUB_SUBSCRIBE_KEY": ""}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})})


def test_missing_keys_is_one_sentence_pointing_at_local():
    result = run()
    assert result.exit_code == 1
    assert "PUBNUB_PUBLISH_KEY and PUBNUB_SUBSCRIBE_KEY are not set" in result.output
    assert "--local" in result.output and "Traceback" not in result.output


def test_wrong_converter_path_is_a_clear_error():
    result = run("--local", "--pubnub-message-converter", "no_such_module.Converter")
    assert result.exit_code == 1
    assert "no module named 'no_such_module'" in result.output
    result = run("--local", "--pubnub-message-converter", "json")
    assert result.exit_code == 1
    assert "not a dotted path" in result.output and "Traceback" not in result.output


def test_bad_origin_is_a_clear_error():
    result = run("--origin", "nowhere", env={"PUBNUB_PUBLISH_KEY": "p",
                                             "PUBNUB_SUBSCRIBE_KEY": "s"})
    assert result.exit_code == 1 and "HOST:PORT" in result.output


def test_help_documents_every_option():
    result = run("--help")
    for option in ("--pubnub-user-id", "--pubnub-channel-group", "--pubnub-message-converter",
                   "--agent-name", "--origin", "--local", "--data-dir", "--log-file",
                   "PUBNUB_PUBLISH_KEY", "PUBNUB_TOKEN", "serve"):
        assert option in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("suppgram-tui, version ")


def test_a_pasted_url_origin_is_taken_and_a_path_is_one_sentence():
    from suppgram_tui.settings import link_settings_for

    plain = link_settings_for("http://127.0.0.1:18210", env={})
    assert (plain.origin, plain.ssl) == ("127.0.0.1:18210", False)
    tls = link_settings_for("https://pubnub.example.com", env={"PUBNUB_PUBLISH_KEY": "p",
                                                               "PUBNUB_SUBSCRIBE_KEY": "s"})
    assert (tls.origin, tls.ssl) == ("pubnub.example.com", True)
    for bad in ("http://127.0.0.1:18210/v2", "ftp://host:1", "127.0.0.1:99999", "host:"):
        result = run("--origin", bad)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"--origin must be HOST:PORT or an http(s):// URL, not {bad!r}." in result.output


@pytest.mark.parametrize("command", [(), ("simulate",), ("grant-token",)])
def test_an_empty_channel_group_is_one_sentence(command):
    result = run(*command, "--pubnub-channel-group", "")
    assert result.exit_code == 2 and "a channel group name must not be empty." in result.output
    result = run(*command, "--pubnub-channel-group", "a,b")
    assert result.exit_code == 2 and "no commas or spaces" in result.output
