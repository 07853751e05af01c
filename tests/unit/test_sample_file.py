"""A wire record saved as a check-converter sample (issue 13 item 17): its envelope
comes along, so an envelope-aware converter is checked as it met the message, and no
file is ever overwritten."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from suppgram_tui.converters.chat_sdk import ChatSdkConverter
from suppgram_tui.converters.envelope import OutgoingMessage
from suppgram_tui.converters.samples import check_sample, load_sample
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.simulator.sample_file import default_path, sample_of, save_problem
from suppgram_tui.simulator.wire_log import WireRecord
from suppgram_tui.timetokens import from_datetime

WHEN = datetime(2026, 11, 26, 4, 0, 1, 250000, tzinfo=timezone.utc)


def reply() -> WireRecord:
    """A Chat SDK reply as the simulated customer received it."""
    return WireRecord("received", "dana", source="support",
                      payload={"type": "text", "text": "On it"},
                      envelope={"timetoken": from_datetime(WHEN), "publisher": "support",
                                "channel": "dana-support",
                                "meta": {"agent": "ann", "client_id": "c1"}})


def test_an_envelope_aware_converter_checks_the_saved_reply_as_it_was_delivered(
        tmp_path: Path) -> None:
    path = tmp_path / "reply.json"
    assert save_problem(reply(), str(path)) is None
    sample = load_sample(path)
    assert (sample.publisher, sample.timetoken, sample.meta) == (
        "support", from_datetime(WHEN), {"agent": "ann", "client_id": "c1"})
    result = check_sample(ChatSdkConverter(), sample)
    assert result.passed and "from_agent" in result.reason and "04:00:01.25" in result.reason


def test_an_unpublished_message_is_saved_at_its_own_instant_with_its_custom_type() -> None:
    message = Message(MessageKind.RATED, WHEN, "5")
    record = WireRecord("sent", "dana", source="customer", message=message, payload={"t": "5"},
                        outgoing=OutgoingMessage({"t": "5"}, {"app": "ios"}, "suppgram-rated"))
    assert sample_of(record) == {"message": {"t": "5"}, "publisher": "dana",
                                 "timetoken": from_datetime(WHEN), "meta": {"app": "ios"},
                                 "custom_message_type": "suppgram-rated"}


def test_no_file_is_overwritten_and_a_missing_folder_is_said(tmp_path: Path) -> None:
    record = reply()
    first = default_path(record, tmp_path)
    assert first.name == "sample-dana-reply-1.json"
    first.write_text("mine")
    assert default_path(record, tmp_path).name == "sample-dana-reply-2.json"
    problem = save_problem(record, str(first))
    assert problem and "already exists and is not overwritten" in problem
    assert first.read_text() == "mine"
    problem = save_problem(record, str(tmp_path / "nowhere" / "x.json"))
    assert problem and "does not exist" in problem
    assert "Type a file name" in (save_problem(record, "  ") or "")
    assert "is a folder" in (save_problem(record, str(tmp_path)) or "")
