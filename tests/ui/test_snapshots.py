"""Snapshots of every screen, hermetic: fixed clock, size, time zone, no cursor blink."""

from __future__ import annotations

import time

import pytest

from tests.helpers.snapshot_scenes import (
    SIZE,
    connected,
    press,
    scene_app,
    simulator,
    then,
    with_customers,
)

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def test_console_empty(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=connected)


def test_console_with_conversations(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=with_customers)


def test_console_raw_view(snap_compare, tmp_path):
    # up from dana: erik, whom nobody answered (a reply's meta holds a random client id)
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=then(with_customers, press("escape", "up"),
                                        press("f2")))


def test_tag_prompt(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=then(with_customers, press("escape"), press("ctrl+t")))


def test_stats_screen(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=then(with_customers, press("f3")))


def test_help_panel(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=then(connected, press("f1")))


def test_simulator(snap_compare, tmp_path):
    assert snap_compare(scene_app(tmp_path / "a.json"), terminal_size=SIZE,
                        run_before=simulator)
