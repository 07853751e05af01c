"""The one settings tree and its one builder of link settings."""

from __future__ import annotations

import pytest

from suppgram_tui.link.settings import SettingsError
from suppgram_tui.local_pubnub import ServerOptions
from suppgram_tui.settings import (
    LOCAL_PUBLISH_KEY,
    LOCAL_SUBSCRIBE_KEY,
    Settings,
    SimulatorSettings,
    link_settings_for,
)

KEYS = {"PUBNUB_PUBLISH_KEY": "pub-c-real", "PUBNUB_SUBSCRIBE_KEY": "sub-c-real",
        "PUBNUB_SECRET_KEY": "sec-c-real"}


def test_local_uses_the_local_keyset_unless_keys_are_exported() -> None:
    local = link_settings_for(local=True, env={})
    assert (local.publish_key, local.subscribe_key) == (LOCAL_PUBLISH_KEY, LOCAL_SUBSCRIBE_KEY)
    assert (local.ssl, local.local, local.origin) == (False, True, None)
    mine = link_settings_for(local=True, env=KEYS)
    assert (mine.publish_key, mine.secret_key, mine.local) == ("pub-c-real", None, True)


def test_an_origin_on_this_machine_needs_no_keys_and_any_other_does() -> None:
    for host in ("127.0.0.1", "localhost", "[::1]"):
        keyless = link_settings_for(f"{host}:8090", user_id="customer", env={})
        assert keyless.subscribe_key == LOCAL_SUBSCRIBE_KEY and keyless.user_id == "customer"
        assert (keyless.origin, keyless.ssl) == (f"{host}:8090", False)
    with pytest.raises(SettingsError, match="PUBNUB_PUBLISH_KEY and PUBNUB_SUBSCRIBE_KEY"):
        link_settings_for("pubnub.example.com:443", env={})
    keyed = link_settings_for("127.0.0.1:8090", channel_groups=("a", "b"), env=KEYS)
    assert (keyed.subscribe_key, keyed.secret_key, keyed.ssl) == ("sub-c-real", "sec-c-real",
                                                                  False)
    assert keyed.channel_groups == ("a", "b") and not keyed.local
    assert link_settings_for(env=KEYS).ssl is True  # PubNub itself: TLS on


def test_an_origin_must_be_host_and_port() -> None:
    for bad in ("nowhere", "host:", "host:port"):
        with pytest.raises(SettingsError, match="HOST:PORT"):
            link_settings_for(bad, env=KEYS)


def test_origin_label_and_support_user_are_derived_once() -> None:
    remote = Settings(pubnub=link_settings_for("10.0.0.5:8090", env=KEYS))
    assert remote.origin_label == "10.0.0.5:8090"
    assert Settings(pubnub=link_settings_for(env=KEYS)).origin_label == "PubNub"
    local = Settings(pubnub=link_settings_for(env=KEYS), local=ServerOptions())
    assert local.origin_label == "LOCAL" and local.support_user == "support"
    simulate = Settings(pubnub=link_settings_for(local=True, user_id="customer", env={}),
                        simulator=SimulatorSettings(support_user="helpdesk"))
    assert simulate.support_user == "helpdesk"


def test_an_origin_on_this_machine_keeps_the_secret_key_and_local_says_what_it_ignores():
    """`serve --secret-key` on this machine: the console and the simulator both sign."""
    from suppgram_tui.settings import keyset_label, link_settings_for, local_ignores

    env = {"PUBNUB_SECRET_KEY": "sec-c-dev", "PUBNUB_TOKEN": "tok"}
    console = link_settings_for("127.0.0.1:8090", env=env)
    simulator = link_settings_for("http://127.0.0.1:8090", user_id="customer", env=env)
    assert (console.subscribe_key, console.secret_key, console.origin) == (
        simulator.subscribe_key, simulator.secret_key, simulator.origin)
    assert console.secret_key == "sec-c-dev" and console.token == "tok"
    embedded = link_settings_for(local=True, env=env)
    assert embedded.secret_key is None and embedded.token is None
    assert local_ignores(env) == (
        "--local ignores PUBNUB_SECRET_KEY and PUBNUB_TOKEN: the built-in server runs with "
        "Access Manager off (run `suppgram-tui serve --secret-key` to try Access Manager).")
    assert local_ignores({}) is None
    assert keyset_label("sub-c-0123456789abcdef0123") == "sub-c-0123…0123"
