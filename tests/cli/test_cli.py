"""The command line: clear one-sentence errors, never a traceback."""

from __future__ import annotations

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
