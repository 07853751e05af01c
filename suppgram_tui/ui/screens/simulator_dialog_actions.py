"""The simulator's keys that ask something first: rate (Ctrl+R), publish raw JSON
(Ctrl+E) and save the selected wire record as a sample file (Ctrl+S).

After rating or publishing the cursor goes back to the customer's composer, wherever it
was before (the wire log swallows what is typed), so the next line typed is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from suppgram_tui.simulator.sample_file import default_path, save_problem
from suppgram_tui.text import one_line, visible

from ..inspector import kind_word
from ..widgets.customer_composer import CustomerComposer
from ..widgets.wire_inspector import WireInspector
from . import simulator_dialogs as dialogs
from .prompt import PromptScreen
from .raw_publish import RawPublish, RawPublishScreen

if TYPE_CHECKING:
    from suppgram_tui.simulator.customers import Simulation
    from suppgram_tui.simulator.wire_log import WireRecord


class DialogActions(Screen[None]):
    """Mixed into the simulator screen, which provides what is declared here."""

    simulation: Simulation | None
    selected: str | None
    converter_path: str
    support_user: str
    clock: Callable[[], datetime]

    @property
    def composer(self) -> CustomerComposer:
        return self.query_one("#sim-composer", CustomerComposer)

    def _report(self, record: WireRecord) -> None:
        """A failure, or a round trip that changed the message, said in a toast."""
        if record.error:
            self.notify(visible(record.error), severity="error", markup=False, timeout=8)
        elif record.round_trip is False:
            where = "F2 shows the wire log" if self.has_class("-narrow") else "see the wire log"
            self.notify(f"Round trip changed the message: {where}.", severity="warning",
                        timeout=6)

    def action_rate(self) -> None:
        if self.selected is None:
            return

        def rated(answer: str | None) -> None:
            self.composer.focus()
            if answer is not None:
                self.send_rating(*dialogs.parse_rating(answer))
        self.app.push_screen(dialogs.rating_prompt(self.selected), rated)

    @work(group="sim-send", exit_on_error=False)
    async def send_rating(self, rating: int, comment: str) -> None:
        if self.simulation is not None and self.selected is not None:
            self._report(await self.simulation.rate(self.selected, rating, comment))

    def action_raw(self) -> None:
        if self.selected is None or self.simulation is None:
            return
        example = dialogs.example_payload(self.simulation.converter, self.clock())

        def chosen(answer: RawPublish | None) -> None:
            self.composer.focus()
            if answer is not None:
                self.send_raw(answer)
        self.app.push_screen(RawPublishScreen(self.selected, example), chosen)

    @work(group="sim-send", exit_on_error=False)
    async def send_raw(self, answer: RawPublish) -> None:
        if self.simulation is not None and self.selected is not None:
            self._report(await self.simulation.send_raw(
                self.selected, answer.payload, meta=answer.meta, publisher=answer.publisher,
                custom_message_type=answer.custom_message_type))

    def action_save_sample(self) -> None:
        """The wire log's selected record as a file `check-converter` reads."""
        record = self.query_one(WireInspector).selected
        if record is None:
            self.notify("Nothing to save yet: the wire log is empty.", severity="warning")
            return
        suggestion = default_path(record, Path.cwd()).name

        def saved(answer: str | None) -> None:
            if answer is None:
                return
            path = Path(answer.strip()).expanduser()
            user = "" if self.support_user == "support" \
                else f" --pubnub-user-id {self.support_user}"
            try:  # short enough for an 80x24 toast
                shown = path.resolve().relative_to(Path.cwd().resolve())
            except ValueError:
                shown = path.resolve()
            self.notify(f"In {shown}. Check: suppgram-tui check-converter{user} "
                        f"{self.converter_path} {shown}",
                        title="Sample saved", markup=False, timeout=12)
        self.app.push_screen(PromptScreen(
            f"Save this {kind_word(record)} record as a "
            "check-converter sample (payload and envelope)", value=suggestion,
            placeholder=suggestion, check=lambda answer: save_problem(record, answer),
            hint=f"A file name, in {one_line(str(Path.cwd()), 50)} unless a path is given; "
                 "an existing file is never overwritten · Enter saves · Escape cancels"),
            saved)
