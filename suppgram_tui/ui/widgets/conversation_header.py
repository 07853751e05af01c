"""Who the open conversation is with, and who is handling it, in one line that fits.

The line is one row whatever the width. What an agent must not miss comes first (the
state, who has it, who else is looking, whether the customer is typing), then the
customer; tags and the channel name only take the room that is left. A part that does
not fit whole is shortened if it can be (the customer, the viewers) or left out with
everything after it, so no part is ever cut mid-word at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from suppgram_tui.inbox import Conversation
from suppgram_tui.text import one_line

SEPARATOR = " · "
SHORTEST_NAME = 10
"""Cells below which a customer's name is left out rather than cut to a stub."""


@dataclass(frozen=True)
class Part:
    """One piece of the header, with a shorter way to say it if room runs out."""

    text: str
    style: str = ""
    shorter: str | None = None
    cuttable: bool = False
    """A name: may be cut with an ellipsis to fit."""
    wanted: bool = False
    """Worth saying the parts before it shorter to fit (the customer, "typing…")."""
    cut: bool = False
    """Shortened with an ellipsis: a name that lost its end (customer ids differ there)."""


class ConversationHeader(Widget):
    """State, assignee, viewers, typing, customer and presence, tags, channel."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: Conversation | None = None
        self.connected = True
        """Others' "viewing" is shown only while connected: offline it goes stale."""
        self._shown: list[Part] | None = None

    def show(self, view: Conversation | None) -> None:
        """Repainted only when what it says changed (a message into the open
        conversation mostly changes nothing here); a repaint, never a screen layout."""
        self.view = view
        parts = self.parts()
        if parts != self._shown:
            self._shown = parts
            self.refresh()

    def parts(self) -> list[Part]:
        """Everything the header can say about the open conversation, most needed first."""
        view = self.view
        if view is None:  # the pane below says so, and what to do
            return []
        parts = [Part(view.state.value, "bold"),
                 Part(f"@{one_line(view.assignee, 30)}" if view.assignee else "unassigned",
                      "bold" if view.assignee else "")]
        if view.viewers and self.connected:
            names = sorted(one_line(name, 20) for name in view.viewers)
            verb = "is" if len(names) == 1 else "are"
            parts.append(Part(f"{', '.join(names)} {verb} viewing", "italic",
                              shorter=f"{len(names)} viewing"))
        if view.customer_typing:
            parts.append(Part("typing…", "italic", wanted=True))
        dot = "●" if view.customer_online else "○"
        # no customer known yet (only an agent has written): the channel, as the list says
        who = view.customer_label or view.channel
        parts.append(Part(f"{dot} {one_line(who, 60)}", cuttable=True, wanted=True))
        if view.customer_email:
            parts.append(Part(one_line(view.customer_email, 60), "dim", cuttable=True))
        if view.tags:
            tags = [f"#{one_line(tag, 20)}" for tag in view.tags]
            more = f" +{len(tags) - 1}" if len(tags) > 1 else ""
            parts.append(Part(" ".join(tags), shorter=tags[0] + more))
        if view.customer_label:
            parts.append(Part(one_line(view.channel, 60), "dim"))
        return parts

    def line(self, width: int) -> list[Part]:
        """The parts as they fit in `width` cells, in order. When "typing…" or the
        customer would be left out or cut, the parts before say it shorter if that lets
        them in whole: at 80 columns "bob is viewing" cut "load-7-0000" to "load-7-00…",
        "1 viewing" leaves room for all of it."""
        parts = self.parts()
        shown = _fitted(parts, width)
        tighter = _fitted([_shortest(part) for part in parts], width)
        return tighter if _wanted(tighter) > _wanted(shown) else shown

    def render(self) -> Content:
        line = Content("")
        for index, part in enumerate(self.line(self.content_size.width)):
            if index:
                line += SEPARATOR
            line += Content.styled(part.text, part.style) if part.style else Content(part.text)
        return line


def _fitted(parts: list[Part], width: int) -> list[Part]:
    shown: list[Part] = []
    used = 0
    for part in parts:
        room = width - used - (cell_len(SEPARATOR) if shown else 0)
        fitted = _fit(part, room)
        if fitted is None:
            break
        shown.append(fitted)
        used = width - room + cell_len(fitted.text)
    return shown


def _wanted(parts: list[Part]) -> tuple[int, int]:
    """How many wanted parts are shown, and how many of them whole."""
    wanted = [part for part in parts if part.wanted]
    return len(wanted), sum(not part.cut for part in wanted)


def _shortest(part: Part) -> Part:
    if part.shorter is not None and cell_len(part.shorter) < cell_len(part.text):
        return Part(part.shorter, part.style, cuttable=part.cuttable, wanted=part.wanted)
    return part


def _fit(part: Part, room: int) -> Part | None:
    if cell_len(part.text) <= room:
        return part
    if part.shorter is not None and cell_len(part.shorter) <= room:
        return Part(part.shorter, part.style, wanted=part.wanted)
    if part.cuttable and room >= SHORTEST_NAME:
        text = part.text
        while cell_len(text) > room - 1:
            text = text[:-1]
        return Part(text + "…", part.style, wanted=part.wanted, cut=True)
    return None
