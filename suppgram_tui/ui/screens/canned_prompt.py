"""Asks for a canned reply's name, and will not take an empty or two-word one."""

from __future__ import annotations

from suppgram_tui.text import one_line

from .prompt import PromptScreen


def canned_name(answer: str) -> str:
    """The name an answer gives (a leading `/` is the agent typing it as they will use it)."""
    return answer.strip().lstrip("/")


def canned_name_problem(answer: str) -> str | None:
    """Why `answer` cannot name a canned reply; None when it can."""
    name = canned_name(answer)
    if not name:
        return "Type a name for it: the grey text is only an example."
    if any(c.isspace() for c in name):
        return f"A name is one word, so /name can insert it; “{one_line(name, 30)}” is not."
    return None


def canned_name_prompt() -> PromptScreen:
    return PromptScreen("Name of the canned reply (one word)",
                        placeholder="a word, e.g. thanks",
                        hint="Type /name in the composer, Tab or Enter inserts it · "
                             "Escape cancels",
                        check=canned_name_problem)
