"""The agent store on real files: atomic, private, versioned, never silently lost."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from suppgram_tui import paths
from suppgram_tui.store import (
    SCHEMA_VERSION,
    AgentStore,
    OutboxEntry,
    OutboxState,
    SecretRefused,
    StoreCorrupt,
    StoreInaccessible,
    StoreLocked,
    StoreTooNew,
)
from suppgram_tui.store.file import StoreFile
from tests.helpers.inbox_harness import InboxHarness, customer_client, open_conversation
from tests.helpers.wait import wait_until

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes and locks")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "agent-store.json"


@pytest.fixture
def store(store_path: Path) -> Iterator[AgentStore]:
    with AgentStore(store_path) as opened:
        yield opened


def on_disk(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def count_replacements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the store renames into place (one per write), in order."""
    replaced: list[str] = []
    real_replace = os.replace

    def replace(source: str, target: os.PathLike[str] | str) -> None:
        replaced.append(str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return replaced


def fsync_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread of every fsync from now on (the file's and its directory's)."""
    threads: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        threads.append(threading.get_ident())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return threads


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
    store.outbox_add(entry("m1"))
    store.flush()
    leftovers = sorted(p.name for p in store_path.parent.iterdir())
    assert leftovers == ["agent-store.json", "agent-store.json.lock"]


@posix_only
def test_store_file_is_private_whatever_the_umask(store_path: Path) -> None:
    old = os.umask(0)
    try:
        with AgentStore(store_path) as store:
            store.set_canned_reply("hi", "Hello!")
    finally:
        os.umask(old)
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700


def test_failed_write_leaves_no_temp_file_and_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "store.json"
    target.mkdir()  # renaming a file over a directory fails half-way through a write
    with pytest.raises(StoreInaccessible, match="is a directory, not a file"):
        StoreFile(target).replace(1, lambda: '{"meta": {}}')
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


def test_the_conversation_on_screen_persists_across_reopening(store_path: Path) -> None:
    """Where the console comes back to at the next start (issue 12 item 6)."""
    with AgentStore(store_path) as store:
        assert store.shown_conversation() is None
        store.set_shown_conversation("support.c1")
        store.set_shown_conversation("support.c2")
    with AgentStore(store_path) as store:
        assert store.shown_conversation() == "support.c2"


async def test_markers_and_drafts_are_written_by_a_timer_at_most_once_per_interval(
        store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with AgentStore(store_path, flush_interval=0.5) as store:
        replaced = count_replacements(monkeypatch)
        before = store_path.read_bytes()
        for timetoken in range(1000):
            store.set_read_marker("support.c1", timetoken)
            store.set_draft("support.c1", f"typing {timetoken}")
        assert store.read_marker("support.c1") == 999  # served from memory meanwhile
        await asyncio.sleep(0.3)
        assert store_path.read_bytes() == before and replaced == []

        await wait_until(lambda: "typing 999" in store_path.read_text(), timeout=2)
        assert len(replaced) == 1  # the whole burst: one write, by the store's own timer
        store.set_read_marker("support.c1", 1000)
        store.set_draft("support.c1", "final words")
        await store.save()  # durable now, without waiting for the timer
        assert "final words" in store_path.read_text() and len(replaced) == 2
        store.set_read_marker("support.c1", 1001)
    assert "1001" in store_path.read_text()  # close() writes the rest


async def test_outbox_and_canned_replies_are_written_at_once_off_the_loop(
        store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with AgentStore(store_path, flush_interval=3600) as store:
        threads = fsync_threads(monkeypatch)
        store.outbox_add(entry("m1"))
        store.set_canned_reply("hi", "Hello!")
        store.set_draft("support.c1", "rides along")
        assert "m1" not in store_path.read_text()  # nothing written on the caller's turn
        await wait_until(lambda: "m1" in store_path.read_text(), timeout=2)
        text = store_path.read_text()
        assert "Hello!" in text and "rides along" in text  # one snapshot of everything
        assert threads and threading.get_ident() not in threads


async def test_a_slow_disk_never_stalls_the_event_loop(store_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write replaces the file and fsyncs twice; with a disk taking 0.2 s per
    fsync, the loop must go on ticking while ``save()`` waits for it."""
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(0.2)
        real_fsync(fd)

    with AgentStore(store_path) as store:
        monkeypatch.setattr(os, "fsync", slow_fsync)
        loop = asyncio.get_running_loop()
        gaps: list[float] = []

        async def probe() -> None:
            last = loop.time()
            while True:
                await asyncio.sleep(0.01)
                gaps.append(loop.time() - last)
                last = loop.time()

        ticking = asyncio.create_task(probe())
        await asyncio.sleep(0.05)
        store.outbox_add(entry("m1"))
        started = time.monotonic()
        await store.save()
        took = time.monotonic() - started
        ticking.cancel()
        assert took >= 0.4  # the slow disk was really waited for...
        assert max(gaps) < 0.15  # ...while the loop kept running
        assert "m1" in store_path.read_text()
        monkeypatch.setattr(os, "fsync", real_fsync)


def test_read_marker_must_be_a_timetoken(store: AgentStore) -> None:
    for bad in (-1, "17641296000000000", True, 1.5):
        with pytest.raises(ValueError, match="a read marker is a PubNub timetoken"):
            store.set_read_marker("support.c1", bad)  # type: ignore[arg-type]


async def test_outbox_survives_reopening_and_keeps_order(store_path: Path) -> None:
    with AgentStore(store_path, flush_interval=3600) as store:
        store.outbox_add(entry("m1", "first"))
        store.outbox_add(entry("m2", "second"))
        await store.save()  # what the outbox awaits before it publishes
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


def test_canned_replies_persist(store_path: Path) -> None:
    with AgentStore(store_path) as store:
        store.set_canned_reply("thanks", "Thank you for waiting!")
        store.set_canned_reply("hi", "Hello!")
        store.set_canned_reply("hi", "Hello, how can I help?")
        store.set_canned_reply("bye", "Bye")
        store.remove_canned_reply("bye")
    with AgentStore(store_path) as store:
        assert store.canned_replies() == {
            "hi": "Hello, how can I help?",
            "thanks": "Thank you for waiting!",
        }


@pytest.mark.parametrize(
    "name", ["secret_key", "PUBNUB_SECRET_KEY", "token", "auth_key", "publish-key", "password",
             "auth_token"])
def test_outbox_meta_refuses_secret_looking_keys(store: AgentStore, store_path: Path,
                                                 name: str) -> None:
    leaky = OutboxEntry(client_id="m1", channel="support.c1", message="hi",
                        meta={name: "sec-c-ZmFrZQ"})
    with pytest.raises(SecretRefused, match="not storing it"):
        store.outbox_add(leaky)
    store.flush()
    assert "sec-c-ZmFrZQ" not in store_path.read_text() and store.outbox_pending() == []


def test_ordinary_meta_names_are_not_mistaken_for_secrets(store: AgentStore) -> None:
    meta = {name: True for name in ("hotkeys", "keybindings", "monkey", "author_name")}
    store.outbox_add(OutboxEntry(client_id="m1", channel="support.c1", message="hi", meta=meta))
    assert store.outbox_entry("m1").meta == meta


# -- the console's use of it --


async def test_a_reply_is_on_disk_as_sending_before_it_is_published_and_never_on_the_loop(
        local_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_path = tmp_path / "ann.json"
    ann = await InboxHarness(local_server.origin, store_path, "ann").start()
    customer = customer_client(local_server.origin, "rita")
    try:
        await open_conversation(customer, "rita-support", "hello?")
        await wait_until(lambda: ann.texts("rita-support") == ["hello?"])
        threads = fsync_threads(monkeypatch)
        at_publish: list[list[dict]] = []
        publish = ann.link.publish

        async def publish_after_looking(channel: str, payload: object, meta: dict) -> int:
            at_publish.append(list(on_disk(store_path).get("outbox", {}).values()))
            return await publish(channel, payload, meta)

        monkeypatch.setattr(ann.link, "publish", publish_after_looking)
        reply = await ann.inbox.send_reply("rita-support", "Here to help.")
        ann.inbox.mark_read("rita-support")
        ann.store.set_draft("rita-support", "and one more thing")
        await wait_until(lambda: ann.store.outbox_pending() == [])
        [[stored]] = at_publish
        assert stored["client_id"] == reply.client_id
        assert (stored["state"], stored["attempts"]) == ("sending", 1)
    finally:
        await ann.stop()
        await customer.stop()
    assert threads and threading.get_ident() not in threads  # incl. the writes at stop
    with AgentStore(store_path) as reopened:
        assert reopened.outbox_pending() == []
        assert reopened.draft("rita-support") == "and one more thing"
        assert reopened.read_marker("rita-support")


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
