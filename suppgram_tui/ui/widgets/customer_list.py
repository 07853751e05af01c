"""The simulator's customers, one row each, the selected one marked whether or not the
list has focus (the chat beside it is that customer's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from suppgram_tui.text import one_line


class CustomerList(OptionList):
    """Moving the cursor selects a customer; typing or pasting here writes as them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "chat", "Chat as this customer", show=False),
    ]

    def __init__(self, *, typed: Callable[[str], None], send: Callable[[], None],
                 id: str | None = None) -> None:
        """`typed` takes text typed or pasted while the list has focus (the composer's
        insert), `send` an Enter that follows it (the composer's send). Calls, not
        messages: keys of one burst already queued here must land before those that
        reach the composer itself once it has the focus."""
        super().__init__(id=id)
        self.typed = typed
        self.send = send
        self._writing = False
        """Text went to the composer since the last other key: Enter sends, Ctrl+J is a
        new line, as they would in the composer."""

    class Chat(Message):
        """Enter on a customer: go and write as them."""

    def show_customers(self, customers: Iterable[tuple[str, bool]],
                       selected: str | None) -> None:
        """Redraw the rows (user id, online) and keep the cursor on `selected`."""
        self.clear_options()
        for user_id, online in customers:
            dot = "●" if online else "○"
            self.add_option(Option(Content(f"{dot} {one_line(user_id, 30)}"), id=user_id))
        if selected is not None:
            try:
                self.highlighted = self.get_option_index(selected)
            except LookupError:
                pass

    def on_key(self, event: events.Key) -> None:
        """Typing goes to the composer, and so do Enter and Ctrl+J typed along with it."""
        if event.is_printable and event.character:
            self._writing = True
            self._forward(event, lambda: self.typed(event.character or ""))
        elif self._writing and event.key in ("enter", "ctrl+j"):
            self._forward(event, self.send if event.key == "enter" else
                          lambda: self.typed("\n"))
        else:
            self._writing = False

    def _forward(self, event: events.Key, deliver: Callable[[], None]) -> None:
        event.stop()
        event.prevent_default()
        deliver()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self._writing = True
        self.typed(event.text)

    def on_focus(self) -> None:
        self._writing = False

    def action_chat(self) -> None:
        self.post_message(self.Chat())
