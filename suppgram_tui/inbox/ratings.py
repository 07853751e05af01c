"""A customer's rating: `rated` messages whose text starts with 1 to 5, then a comment.

Suppgram has no rated kind, so this console defines one (see `stats`). A rating is shown
as stars and a comment, never as if the customer had asked something.
"""

from __future__ import annotations

RATINGS = (1, 2, 3, 4, 5)


def parse_rating(text: str | None) -> int | None:
    """The rating a ``rated`` message's text carries, or None if it carries none."""
    if text is None:
        return None
    words = text.split(maxsplit=1)
    if not words or words[0] not in {str(r) for r in RATINGS}:
        return None
    return int(words[0])


def describe_rating(text: str | None) -> str:
    """`★★★★☆ rated 4/5: helpful but a bit slow`; a text that is no rating says so."""
    rating = parse_rating(text)
    if rating is None:
        return f"rated (not a rating from 1 to 5): {text or ''}".rstrip(": ")
    comment = (text or "").split(maxsplit=1)[1:]
    stars = "★" * rating + "☆" * (len(RATINGS) - rating)
    return f"{stars} rated {rating}/{len(RATINGS)}" + (f": {comment[0]}" if comment else "")
