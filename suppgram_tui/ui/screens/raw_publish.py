"""Ctrl+E in the simulator: JSON to publish as typed, with meta, as another publisher
(a bot, to try ``--pubnub-ignore-publisher``) and with a custom message type.

Every field is checked before anything is published: a slip is said in words under
the boxes, the cursor goes to the field at fault, and nothing typed is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from suppgram_tui.converters.envelope import CUSTOM_MESSAGE_TYPE
from suppgram_tui.text import one_line, visible
from suppgram_tui.ui.widgets.ordered_input import OrderedInput

from .simulator_dialogs import json_problem

MAX_USER_ID = 92
"""PubNub's longest user id."""


@dataclass(frozen=True)
class RawPublish:
    """What to publish: the payload, and what goes around it."""

    payload: Any
    meta: dict[str, Any] | None = None
    publisher: str | None = None
    """None: the selected customer; else another user id that publishes it."""
    custom_message_type: str | None = None


def meta_problem(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        meta = json.loads(text)
    except ValueError as error:
        return f"Meta is not JSON yet: {error}."
    if not isinstance(meta, dict):
        return 'Meta must be a JSON object, like {"source": "app"} (or leave it empty).'
    return None


def publisher_problem(text: str) -> str | None:
    user_id = text.strip()
    if len(user_id) > MAX_USER_ID:
        return f"A PubNub user id has at most {MAX_USER_ID} characters; this has {len(user_id)}."
    if any(character.isspace() or not character.isprintable() for character in user_id):
        return "A publisher is one user id, like order-bot: no spaces or control characters."
    return None


def custom_type_problem(text: str) -> str | None:
    if not text.strip() or CUSTOM_MESSAGE_TYPE.fullmatch(text.strip()):
        return None
    return ("A custom message type is 3 to 50 letters, digits, '-' or '_', not starting "
            "with 'pn-' or 'pn_' (or leave it empty).")


CHECKS = {"raw-payload": json_problem, "raw-meta": meta_problem,
          "raw-publisher": publisher_problem, "raw-type": custom_type_problem}
"""Each box's check, in the order the boxes are shown."""


def parse(values: dict[str, str], customer: str) -> RawPublish:
    """The answer of boxes every check accepted."""
    publisher = values["raw-publisher"].strip()
    meta = values["raw-meta"].strip()
    return RawPublish(json.loads(values["raw-payload"]), json.loads(meta) if meta else None,
                      publisher if publisher and publisher != customer else None,
                      values["raw-type"].strip() or None)


class RawPublishScreen(ModalScreen[RawPublish | None]):
    """Enter in any box publishes; Tab moves between them; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, customer: str, example: Any) -> None:
        super().__init__()
        self.customer = customer
        self.example = json.dumps(example, ensure_ascii=False, default=str)
        time = example.get("time") if isinstance(example, dict) else None
        self.times = (f"Times as your converter writes them: {time}" if isinstance(time, str)
                      else "The example is in your converter's format")

    def compose(self) -> ComposeResult:
        who = one_line(self.customer, 30)
        with Vertical(id="prompt-box", classes="raw-publish"):
            yield Label(f"Raw JSON to publish on {who}'s channel", markup=False)
            yield OrderedInput(value=visible(self.example, keep_newlines=False),
                        placeholder=visible(self.example, keep_newlines=False),
                        id="raw-payload")
            for box, words, placeholder in (
                    ("raw-meta", "meta", 'optional object, e.g. {"source": "app"}'),
                    ("raw-publisher", "publisher",
                     f"{one_line(self.customer, 24)}, or another id, e.g. order-bot"),
                    ("raw-type", "custom type", "optional, e.g. support-text")):
                with Horizontal(classes="raw-field"):
                    yield Label(words, markup=False)
                    yield OrderedInput(placeholder=visible(placeholder, keep_newlines=False),
                                id=box, compact=True)
            yield Label(visible(f"{self.times} · Enter publishes · Tab next box · "
                                "Escape cancels"), id="prompt-hint", markup=False)
            yield Label("", id="prompt-problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#prompt-problem").display = False
        self.query_one("#raw-payload", Input).focus()

    def values(self) -> dict[str, str]:
        return {box: self.query_one(f"#{box}", Input).value for box in CHECKS}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = self.values()
        for box, check in CHECKS.items():
            if (problem := check(values[box])) is not None:
                label = self.query_one("#prompt-problem", Label)
                label.update(Content(visible(problem)))
                label.display = True
                self.query_one(f"#{box}", Input).focus()
                return
        self.dismiss(parse(values, self.customer))

    def on_input_changed(self) -> None:
        self.query_one("#prompt-problem").display = False

    def action_cancel(self) -> None:
        self.dismiss(None)
