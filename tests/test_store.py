"""The agent store on real files: atomic, private, versioned, never silently lost."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from suppgram_tui import paths
from suppgram_tui.store import (
    SCHEMA_VERSION,
    AgentStore,
    AtomicJSONStorage,
    OutboxEntry,
    OutboxState,
    SecretRefused,
    StoreCorrupt,
    StoreLocked,
    StoreTooNew,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and locks")


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "agent-store.json"


@pytest.fixture
def store(store_path: Path) -> Iterator[AgentStore]:
    with AgentStore(store_path) as opened:
        yield opened


def on_disk(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def entry(client_id: str, text: str = "hello") -> OutboxEntry:
    return OutboxEntry(
        client_id=client_id,
        channel="support.c1",
        message={"kind": "from_agent", "time": "2026-11-26T04:00:00.000000+0000", "text": text},
        meta={"agent": "alice", "client_id": client_id},
        created=datetime(2026, 11, 26, 4, tzinfo=timezone.utc),
    )


# -- the file itself --


def test_new_store_has_schema_version_and_no_leftovers(store: AgentStore, store_path: Path) -> None:
    assert on_disk(store_path) == {"meta": {"1": {"schema_version": SCHEMA_VERSION}}}
    store.set_canned_reply("hi", "Hello, how can I help?")
    store.set_setting("theme", "nord")
    store.outbox_add(entry("m1"))
    leftovers = sorted(p.name for p in store_path.parent.iterdir())
    assert leftovers == ["agent-store.json", "agent-store.json.lock"]


@posix_only
def test_store_file_is_private_whatever_the_umask(store_path: Path) -> None:
    old = os.umask(0)
    try:
        with AgentStore(store_path) as store:
            store.set_setting("theme", "nord")
    finally:
        os.umask(old)
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700


def test_failed_write_leaves_no_temp_file_and_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "store.json"
    target.mkdir()  # renaming a file over a directory fails half-way through a write
    with pytest.raises(OSError):
        AtomicJSONStorage(target).write({"meta": {}})
    assert [p.name for p in tmp_path.iterdir()] == ["store.json"]
    assert target.is_dir()


def test_empty_file_is_a_new_store(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_text("")
    with AgentStore(store_path) as store:
        assert store.read_markers() == {}
    assert on_disk(store_path)["meta"] == {"1": {"schema_version": SCHEMA_VERSION}}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "it is not valid JSON: Expecting property name"),
        (b"\xff\xfe\x00", "it is not UTF-8 text"),
        (b"[1, 2]", "it holds a JSON list, not an object of tables"),
        (b'{"meta": [1]}', "table 'meta' is not an object of documents"),
        (b'{"meta": {"one": {}}}', "table 'meta' has a malformed document 'one'"),
        (b'{"drafts": {}}', "it has no valid schema version"),
        (b'{"meta": {"1": {"schema_version": "1"}}}', "it has no valid schema version"),
        (
            b'{"meta": {"1": {"schema_version": 1}}, '
            b'"read_markers": {"1": {"channel": "c1", "timetoken": "soon"}}}',
            "read_markers document 1 has no valid 'timetoken'",
        ),
        (
            b'{"meta": {"1": {"schema_version": 1}}, "outbox": {"1": {"client_id": "m1"}}}',
            "outbox document 1 has no valid 'channel'",
        ),
    ],
)
def test_corrupt_file_is_moved_aside_with_a_clear_error(
    store_path: Path, content: bytes, reason: str
) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(content)
    with pytest.raises(StoreCorrupt) as caught:
        AgentStore(store_path)
    error = caught.value
    assert reason in str(error)
    assert str(store_path) in str(error) and str(error.moved_to) in str(error)
    assert error.moved_to.name.startswith("agent-store.json.corrupt-")
    assert error.moved_to.read_bytes() == content
    assert not store_path.exists()

    with AgentStore(store_path) as fresh:  # opening again starts fresh
        assert fresh.outbox_pending() == []
    assert error.moved_to.read_bytes() == content


def test_two_corrupt_files_in_one_second_are_both_kept(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    moved = []
    for content in (b"first", b"second"):
        store_path.write_bytes(content)
        with pytest.raises(StoreCorrupt) as caught:
            AgentStore(store_path)
        moved.append(caught.value.moved_to)
    assert moved[0] != moved[1]
    assert [p.read_bytes() for p in moved] == [b"first", b"second"]


def test_newer_schema_version_is_refused_and_left_alone(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    content = b'{"meta": {"1": {"schema_version": 99}}, "future": {}}'
    store_path.write_bytes(content)
    with pytest.raises(StoreTooNew, match="schema version 99; this one knows up to 1"):
        AgentStore(store_path)
    assert store_path.read_bytes() == content
    assert not list(store_path.parent.glob("*.corrupt-*"))


@posix_only
def test_one_console_per_store(store_path: Path) -> None:
    first = AgentStore(store_path)
    with pytest.raises(StoreLocked, match="in use by another suppgram-tui console"):
        AgentStore(store_path)
    first.close()
    AgentStore(store_path).close()


# -- what it keeps --


def test_drafts_and_markers_persist_across_reopening(store_path: Path) -> None:
    with AgentStore(store_path) as store:
        store.set_read_marker("support.c1", 17641296000000000)
        store.set_read_marker("support.c2", 17641296000000001)
        store.set_draft("support.c1", "Let me check")
        store.set_draft("support.c2", "gone soon")
        store.set_draft("support.c2", "")
    with AgentStore(store_path) as store:
        assert store.read_marker("support.c1") == 17641296000000000
        assert store.read_markers() == {
            "support.c1": 17641296000000000,
            "support.c2": 17641296000000001,
        }
        assert store.read_marker("support.unknown") is None
        assert store.draft("support.c1") == "Let me check"
        assert store.draft("support.c2") == ""


def test_markers_and_drafts_are_written_at_most_once_per_interval(store_path: Path) -> None:
    clock = FakeClock()
    with AgentStore(store_path, flush_interval=2.0, clock=clock) as store:
        before = store_path.stat().st_mtime_ns, store_path.read_bytes()
        for timetoken in range(1000):
            store.set_read_marker("support.c1", timetoken)
            store.set_draft("support.c1", f"typing {timetoken}")
        assert (store_path.stat().st_mtime_ns, store_path.read_bytes()) == before
        assert store.has_unsaved_changes
        assert store.read_marker("support.c1") == 999  # served from memory meanwhile

        clock.now += 2.0
        store.set_read_marker("support.c1", 1000)  # the interval is over: written now
        assert not store.has_unsaved_changes
        assert "1000" in store_path.read_text()

        store.set_draft("support.c1", "final words")
        assert "final words" not in store_path.read_text()
        store.flush()
        assert "final words" in store_path.read_text()
        store.set_read_marker("support.c1", 1001)
    assert "1001" in store_path.read_text()  # close() writes the rest


def test_read_marker_must_be_a_timetoken(store: AgentStore) -> None:
    for bad in (-1, "17641296000000000", True, 1.5):
        with pytest.raises(ValueError, match="a read marker is a PubNub timetoken"):
            store.set_read_marker("support.c1", bad)  # type: ignore[arg-type]


def test_outbox_survives_reopening_and_keeps_order(store_path: Path) -> None:
    with AgentStore(store_path, flush_interval=3600) as store:
        store.outbox_add(entry("m1", "first"))
        store.outbox_add(entry("m2", "second"))
        # written before outbox_add returned, without waiting for a flush
        assert [e["client_id"] for e in on_disk(store_path)["outbox"].values()] == ["m1", "m2"]
        with pytest.raises(ValueError, match="already has a reply with client id 'm1'"):
            store.outbox_add(entry("m1"))
        failed = replace(
            entry("m1", "first"), attempts=3, last_error="HTTP 503", state=OutboxState.FAILED
        )
        store.outbox_update(failed)
        with pytest.raises(KeyError, match="no reply with client id 'nope'"):
            store.outbox_update(entry("nope"))

    with AgentStore(store_path) as store:
        pending = store.outbox_pending()
        assert pending == [failed, entry("m2", "second")]
        assert store.outbox_entry("m2") == entry("m2", "second")
        store.outbox_remove("m1")
        store.outbox_remove("m1")  # acknowledging twice is harmless
    with AgentStore(store_path) as store:
        assert [e.client_id for e in store.outbox_pending()] == ["m2"]
        assert store.outbox_entry("m1") is None


def test_outbox_payload_must_be_json(store: AgentStore) -> None:
    bad = OutboxEntry(client_id="m1", channel="support.c1", message={"image": b"\x89PNG"})
    with pytest.raises(ValueError, match="an outbox message must be JSON data"):
        store.outbox_add(bad)


def test_canned_replies_and_settings_persist(store_path: Path) -> None:
    with AgentStore(store_path) as store:
        store.set_canned_reply("thanks", "Thank you for waiting!")
        store.set_canned_reply("hi", "Hello!")
        store.set_canned_reply("hi", "Hello, how can I help?")
        store.set_canned_reply("bye", "Bye")
        store.remove_canned_reply("bye")
        store.set_setting("theme", "nord")
        store.set_setting("agent_name", "Alice")
        store.set_setting("sidebar", {"width": 32, "show_resolved": False})
    with AgentStore(store_path) as store:
        assert store.canned_replies() == {
            "hi": "Hello, how can I help?",
            "thanks": "Thank you for waiting!",
        }
        assert store.setting("theme") == "nord"
        assert store.setting("sidebar") == {"width": 32, "show_resolved": False}
        assert store.setting("missing", "default") == "default"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("secret_key", "anything"),
        ("PUBNUB_SECRET_KEY", "anything"),
        ("token", "anything"),
        ("auth_key", "anything"),
        ("publish-key", "anything"),
        ("password", "anything"),
        ("theme", "sec-c-ZmFrZQ"),
        ("note", "pub-c-1234"),
    ],
)
def test_nothing_that_looks_like_a_secret_is_stored(
    store: AgentStore, store_path: Path, name: str, value: str
) -> None:
    with pytest.raises(SecretRefused, match="not storing it"):
        store.set_setting(name, value)
    assert value not in store_path.read_text()


def test_outbox_meta_refuses_secret_looking_keys(store: AgentStore) -> None:
    leaky = OutboxEntry(
        client_id="m1", channel="support.c1", message="hi", meta={"auth_token": "x"}
    )
    with pytest.raises(SecretRefused):
        store.outbox_add(leaky)


def test_ordinary_setting_names_are_not_mistaken_for_secrets(store: AgentStore) -> None:
    for name in ("hotkeys", "keybindings", "monkey", "author_name"):
        store.set_setting(name, True)
    assert store.setting("keybindings") is True


# -- locations --


def test_data_dir_override_holds_everything(tmp_path: Path) -> None:
    assert paths.data_dir(tmp_path) == tmp_path
    assert paths.log_dir(tmp_path) == tmp_path / "logs"
    assert paths.config_dir(tmp_path) == tmp_path / "config"
    assert paths.store_file(tmp_path) == tmp_path / "agent-store.json"
    assert paths.log_file(tmp_path) == tmp_path / "logs" / "suppgram-tui.log"
    assert not (tmp_path / "logs").exists()  # nothing is created by asking


def test_default_locations_are_per_user_and_named_for_the_app() -> None:
    for location in (paths.data_dir(), paths.log_dir(), paths.config_dir()):
        assert "suppgram-tui" in location.parts
    assert paths.store_file().parent == paths.data_dir()


def test_store_imports_neither_textual_nor_pubnub() -> None:
    code = (
        "import sys, suppgram_tui.store, suppgram_tui.paths\n"
        "print(','.join(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'textual', 'pubnub'})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
