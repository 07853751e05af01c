"""Small words a first-time user read wrong: a file's size, the quit question's number."""

from __future__ import annotations

from suppgram_tui.inbox.attachments import human_size
from suppgram_tui.ui.screens.quit_confirm import quit_question


def test_a_small_file_is_sized_to_a_tenth_of_a_kb() -> None:
    assert human_size(1474) == "1.4 KB"  # was "1 KB"
    assert human_size(48 * 1024) == "48 KB"
    assert human_size(512) == "512 bytes"


def test_one_reply_left_is_spoken_of_in_the_singular() -> None:
    one = quit_question({"rita-support": 1})
    assert one.startswith("1 reply has not reached the customer yet: 1 to rita-support.")
    assert "It stays in the outbox" in one and "They" not in one
    two = quit_question({"rita-support": 2})
    assert "2 replies have" in two and "They stay in the outbox" in two
