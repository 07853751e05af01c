"""The simulator's questions: a rating, quitting, and the checks of raw JSON
(its dialog is `raw_publish`).

The rating checks its answer before it is accepted, so a slip is said in words and
the text stays in the box to fix, instead of vanishing with a toast.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from suppgram_tui.converters import ConverterLike, encode_message
from suppgram_tui.converters.guard import ConverterFailed
from suppgram_tui.model import Message, MessageKind
from suppgram_tui.text import one_line

from .confirm import ConfirmScreen
from .prompt import PromptScreen

RATINGS = ("1", "2", "3", "4", "5")


def rating_problem(answer: str) -> str | None:
    """Why `answer` is not "1–5, then an optional comment"; None when it is."""
    rating = answer.strip().partition(" ")[0]
    if not rating:
        return "Type a rating from 1 to 5 first (the grey text is only an example)."
    if rating not in RATINGS:
        return (f"A rating starts with a whole number from 1 to 5; "
                f"“{one_line(rating, 12)}” is not one.")
    return None


def parse_rating(answer: str) -> tuple[int, str]:
    """The rating and comment of an answer `rating_problem` accepted."""
    rating, _, comment = answer.strip().partition(" ")
    return int(rating), comment.strip()


def rating_prompt(customer: str) -> PromptScreen:
    return PromptScreen(f"Rate the conversation as {one_line(customer, 30)}",
                        placeholder="1–5, then a comment: 5 quick and kind",
                        hint="Enter sends the rating · Escape cancels",
                        check=rating_problem)


def json_problem(answer: str) -> str | None:
    """Why `answer` is not JSON, with where; None when it is."""
    if not answer.strip():
        return "Type the JSON to publish (the grey text is only an example)."
    try:
        json.loads(answer)
    except ValueError as error:
        return f"That is not JSON yet: {error}."
    return None


def example_payload(converter: ConverterLike, now: datetime) -> Any:
    """A customer message as the converter writes it now: its format and time format."""
    try:
        return encode_message(converter, Message(MessageKind.FROM_CUSTOMER, now, "hello")
                              ).message
    except ConverterFailed:  # a converter under test may fail; the box stays usable
        return {"kind": "from_customer", "time": None, "text": "hello"}


def quit_question(customers: int, *, key: str) -> ConfirmScreen:
    """Quitting the simulator run on its own ends its customers' sessions: say how many."""
    who = "1 simulated customer" if customers == 1 else f"{customers} simulated customers"
    return ConfirmScreen(f"Quit the simulator? {who} will go offline.", key=key)
