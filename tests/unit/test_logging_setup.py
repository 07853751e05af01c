"""Log files are private and per data directory (issue 11, item 20)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from suppgram_tui import paths
from suppgram_tui.logging_setup import log_to_file


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    old_umask = os.umask(0o022)  # the usual umask: a plain open() would make 0644
    yield
    os.umask(old_umask)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_log_file_in_an_existing_directory_is_private(tmp_path, restore_logging):
    log = tmp_path / "console.log"
    log_to_file(log)
    logging.getLogger("suppgram_tui.test").warning("dana wrote something")
    assert mode(log) == 0o600
    assert "dana wrote something" in log.read_text()


def test_an_existing_wider_log_file_is_narrowed(tmp_path, restore_logging):
    log = tmp_path / "console.log"
    log.write_text("earlier\n")
    log.chmod(0o644)
    log_to_file(log)
    assert mode(log) == 0o600 and log.read_text().startswith("earlier\n")


def test_each_data_directory_has_its_own_log(tmp_path):
    first, second = paths.log_file(tmp_path / "ann"), paths.log_file(tmp_path / "bob")
    assert first != second
    assert first.is_relative_to(tmp_path / "ann") and second.is_relative_to(tmp_path / "bob")
