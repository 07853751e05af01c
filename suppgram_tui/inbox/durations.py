"""Short spoken-style durations for a terminal column: ``42s``, ``2m 05s``, ``1h 05m``.

Stats, waiting times in the sidebar and the stats screen all show durations, and they
should read the same everywhere: at most two units, the second zero-padded so columns
line up, cut rather than rounded up (a customer waiting 59.9 s has not waited a minute).
"""

from __future__ import annotations

from datetime import timedelta

NO_DURATION = "—"
"""Shown where there is nothing to measure yet (no replies, no resolutions)."""

_UNIT_PAIRS = (("d", 86_400, "h", 3_600), ("h", 3_600, "m", 60), ("m", 60, "s", 1))
"""Each larger unit with the unit shown after it, largest first."""


def format_duration(value: timedelta | None, *, missing: str = NO_DURATION) -> str:
    """Render `value` compactly: ``42s``, ``2m 05s``, ``1h 05m``, ``3d 04h``; `missing` for None.

    A negative duration (clocks that disagree) keeps its sign rather than hiding the
    problem: ``-42s``.
    """
    if value is None:
        return missing
    total = int(value.total_seconds())  # truncates toward zero, so -0.5 s reads "0s"
    sign, total = ("-", -total) if total < 0 else ("", total)
    if total < 60:
        return f"{sign}{total}s"
    unit, size, minor_unit, minor_size = next(pair for pair in _UNIT_PAIRS if total >= pair[1])
    major, rest = divmod(total, size)
    return f"{sign}{major}{unit} {rest // minor_size:02d}{minor_unit}"
