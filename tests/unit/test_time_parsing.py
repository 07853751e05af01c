"""The default converter's fast timestamp path reads exactly what strptime reads
(issue 15 made it cheaper: a zone per offset, no astimezone for UTC)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from suppgram_tui.converters import UndecodableMessage
from suppgram_tui.converters.default import SUPPGRAM_TIME_FORMAT, _parse_time

VALUES = ["2026-11-26T04:00:00.000000+0000", "2026-11-26T07:30:00.123456+0330",
          "2026-11-25T23:00:00.999999-0500", "2026-02-28T23:59:59.000001-2359",
          "2026-11-26T04:00:00.000000+2400", "2026-02-30T04:00:00.000000+0000",
          "2026-11-26T04:00:00.000+00:00"]


@pytest.mark.parametrize("value", VALUES)
def test_fast_path_agrees_with_strptime(value: str) -> None:
    try:
        expected = datetime.strptime(value, SUPPGRAM_TIME_FORMAT).astimezone(timezone.utc)
    except ValueError:
        with pytest.raises(UndecodableMessage):
            _parse_time(value)
        return
    for _ in range(2):  # the second time through, the offset's zone is remembered
        parsed = _parse_time(value)
        assert parsed == expected and parsed.tzinfo is timezone.utc
