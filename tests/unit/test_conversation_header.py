"""Issue 12, item 14: the header's one line puts what matters first and fits any width.

The terminal tests read the header at 80, 100 and 120 columns; these check the fitting
itself at every width from 10 to 120, with the longest things a header can say.
"""

from __future__ import annotations

from rich.cells import cell_len

from suppgram_tui.inbox import Conversation
from suppgram_tui.model import ConversationState
from suppgram_tui.ui.widgets.conversation_header import SEPARATOR, ConversationHeader


def header_for(view: Conversation) -> ConversationHeader:
    header = ConversationHeader()
    header.view = view
    return header


def busy() -> Conversation:
    return Conversation("customer-7f3a9c21-support", state=ConversationState.ASSIGNED,
                        assignee="bob", tags=["vip", "refund", "shipping"],
                        customer_id="customer-7f3a9c21", customer_online=True,
                        customer_typing=True, viewers={"carol", "dave"})


def test_every_width_keeps_the_order_and_never_overflows() -> None:
    header = header_for(busy())
    full = [part.text for part in header.parts()]
    assert full[:4] == ["assigned", "@bob", "carol, dave are viewing", "typing…"]
    for width in range(10, 121):
        shown = [part.text for part in header.line(width)]
        assert cell_len(SEPARATOR.join(shown)) <= width, (width, shown)
        assert shown[:2] == ["assigned", "@bob"][:len(shown)], (width, shown)
        if width >= 40:
            assert "viewing" in shown[2], (width, shown)


def test_the_channel_only_where_room_is_left() -> None:
    header = header_for(busy())
    assert header.line(200)[-1].text == "customer-7f3a9c21-support"
    at_80 = [part.text for part in header.line(47)]  # the pane's width at 80 columns
    assert "customer-7f3a9c21-support" not in at_80, at_80
    assert at_80 == ["assigned", "@bob", "2 viewing", "typing…"], at_80  # names: no typing


def test_what_does_not_fit_is_shortened_or_left_out_whole() -> None:
    header = header_for(busy())

    def at(width: int) -> list[str]:
        return [part.text for part in header.line(width)]

    assert at(38) == ["assigned", "@bob", "2 viewing", "typing…"]
    assert at(62)[-1] == "● customer-7f3a9c21"  # the viewers' names made room for it
    assert at(55)[-1] == "● customer-7f3…"  # cut either way: the names stay
    assert at(55)[2] == "2 viewing"
    assert at(68)[-1] == "● customer-7f3a9c21"  # whole once the names make way
    assert at(90)[-1] == "#vip +2"
    assert at(98)[-1] == "#vip #refund #shipping"


def test_at_80_columns_a_viewer_leaves_room_for_the_customer() -> None:
    """A new-user QA pass at 80 x 24: with another agent viewing, the header lost the
    customer's name; their names say it shorter to let it in."""
    header = header_for(Conversation(
        "jane-support", state=ConversationState.NEW, customer_id="jane",
        customer_name="Jane Doe", customer_online=True, viewers={"carol"}))
    at_80 = [part.text for part in header.line(47)]  # the pane's width at 80 columns
    assert at_80 == ["new", "unassigned", "1 viewing", "● Jane Doe"], at_80
    assert [part.text for part in header.line(120)][2] == "carol is viewing"


def test_a_customer_id_is_not_cut_where_a_shorter_viewer_lets_it_show_whole() -> None:
    """Seen at 80 x 24: "new · unassigned · bob is viewing · ● load-7-00…", the end of
    the id (what tells customers apart) cut off."""
    header = header_for(Conversation(
        "load-7-0000-support", state=ConversationState.NEW, customer_id="load-7-0000",
        customer_online=True, viewers={"bob"}))
    assert [part.text for part in header.line(47)] == \
        ["new", "unassigned", "1 viewing", "● load-7-0000"]


def test_nothing_open_says_nothing_here() -> None:
    assert header_for(None).line(80) == []  # type: ignore[arg-type]


def test_with_no_customer_yet_the_header_names_the_channel_as_the_list_does() -> None:
    """Only an agent had written: the list said "○ load-7-0001-support", the header
    "○ customer"."""
    header = header_for(Conversation("load-7-0001-support"))
    assert [part.text for part in header.line(120)] == \
        ["new", "unassigned", "○ load-7-0001-support"]
