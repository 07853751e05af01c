"""How times and waits are written on screen."""

from __future__ import annotations

from datetime import datetime

from suppgram_tui.timetokens import TICKS_PER_SECOND


def waited(since_timetoken: int | None, now: datetime) -> str:
    """`42s`, `5m`, `3h`, `2d`: how long a customer has been waiting."""
    if since_timetoken is None:
        return ""
    seconds = max(0, int(now.timestamp() - since_timetoken / TICKS_PER_SECOND))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """`1 conversation`, `2 conversations`, `1 reply`, `3 replies`."""
    if count == 1:
        return f"{count} {singular}"
    if plural is None:
        plural = singular[:-1] + "ies" if singular.endswith("y") and \
            singular[-2:-1] not in "aeiou" else singular + "s"
    return f"{count} {plural}"


def clock_time(moment: datetime) -> str:
    """Local wall-clock time of a message, HH:MM; as it is when local time cannot hold it
    (a converter's time at the very end of the calendar, east of UTC)."""
    try:
        return moment.astimezone().strftime("%H:%M")
    except (OverflowError, ValueError):
        return moment.strftime("%H:%M")
