"""Under the composer: how close the reply is to PubNub's size limit, once it is close."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from suppgram_tui.inbox import ReplySize

SHOWN_FROM = 0.8
"""Share of the limit from which the size is shown."""


class ReplySizeMeter(Static):
    """Hidden for an ordinary reply; "Reply size 27.3 KB of 32 KB" near the limit, and
    in the error colour, saying Enter will not send it, over the limit or when the
    converter cannot encode it (with its error)."""

    def show_size(self, size: ReplySize | None) -> None:
        """`None`: nothing to measure (no conversation open, an empty composer)."""
        if size is not None and size.problem is not None:
            self.set_class(True, "-near")
            self.set_class(True, "-over")
            self.update(Content(f"The converter cannot encode this reply, Enter will not "
                                f"send it: {size.problem}"))
            return
        near = size is not None and size.size >= size.limit * SHOWN_FROM
        self.set_class(near, "-near")
        self.set_class(size is not None and size.too_large, "-over")
        if size is None or not near:
            return
        if size.too_large:
            self.update(Content(f"Reply size {size}: too large for PubNub, Enter will not "
                                "send it. Shorten it or send it in parts."))
        else:
            self.update(Content(f"Reply size {size}"))
