"""Quitting while replies have not reached PubNub: say how many, to whom, and ask."""

from __future__ import annotations

from suppgram_tui.text import identifier

from .confirm import ConfirmScreen

LISTED = 3
"""Conversations named in the question; the rest are counted."""


class QuitConfirmScreen(ConfirmScreen):
    """Ctrl+Q again, Enter or `y` quits; Escape or `n` stays."""

    def __init__(self, undelivered: dict[str, int]) -> None:
        super().__init__(quit_question(undelivered), key="ctrl+q")


def quit_question(undelivered: dict[str, int]) -> str:
    """"2 replies have not reached the customer yet: 1 to rita-support, 1 to …"."""
    total = sum(undelivered.values())
    names = [f"{count} to {identifier(channel, 40)}"
             for channel, count in list(undelivered.items())[:LISTED]]
    if len(undelivered) > LISTED:
        names.append(f"{len(undelivered) - LISTED} more conversations")
    if total == 1:
        return (f"1 reply has not reached the customer yet: {', '.join(names)}. Quit "
                "anyway? It stays in the outbox: if it is being sent it goes out when the "
                "console starts again; if it failed it waits for F5.")
    return (f"{total} replies have not reached the customer yet: {', '.join(names)}. Quit "
            "anyway? They stay in the outbox: those being sent go out when the console "
            "starts again, failed ones wait for F5.")
