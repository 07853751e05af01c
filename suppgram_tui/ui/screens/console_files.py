"""The console's file keys: save an attachment (Ctrl+S), view one (F9), send a file (F10).

Saving never overwrites (``name (1)``) and says where, in words; viewing draws an image
where the terminal has a graphics protocol and describes it elsewhere; sending asks
for a path and, in another agent's conversation, asks first, as a reply does.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.screen import Screen

from suppgram_tui import paths
from suppgram_tui.inbox import ClaimLost, FileRefused, Inbox, TransferFailed
from suppgram_tui.inbox.file_transfers import checked_path
from suppgram_tui.model import Attachment
from suppgram_tui.settings import Settings
from suppgram_tui.text import identifier, one_line

from ..images import image_widget
from .attachment_picker import AttachmentPickerScreen
from .attachment_view import NO_PROTOCOL, AttachmentScreen
from .confirm import ConfirmScreen
from .prompt import PromptScreen


def _path_problem(text: str) -> str | None:
    """What is wrong with a path typed in the dialog (it stays open, text kept)."""
    try:
        checked_path(text)
    except FileRefused as refused:
        return str(refused)
    return None


class FileActions(Screen[None]):
    """The attachment and file actions of the console screen."""

    inbox: Inbox
    settings: Settings
    channel: str | None

    def _open(self) -> None:
        """The console screen's: the shown conversation chosen (and read)."""
        raise NotImplementedError

    @property
    def downloads(self) -> Path:
        return self.settings.agent.downloads_dir or paths.downloads_dir()

    async def _pick(self, verb: str) -> tuple[str, Attachment] | None:
        """The open conversation's attachment to act on: the only one, or the one the
        agent picks (newest first)."""
        if self.channel is None:
            self.notify("Open a conversation first.", severity="warning")
            return None
        channel, found = self.channel, self.inbox.attachments(self.channel)
        if not found:
            self.notify("This conversation has no attachments.", severity="warning")
            return None
        if len(found) == 1:
            return channel, found[0]
        chosen = await self.app.push_screen_wait(AttachmentPickerScreen(
            f"{verb} which attachment?", found))
        return (channel, chosen) if chosen is not None else None

    @work(group="files", exit_on_error=False)
    async def action_save_attachment(self) -> None:
        if (picked := await self._pick("Save")) is not None:
            await self._save(*picked)

    async def _save(self, channel: str, attachment: Attachment) -> None:
        self.notify(f"Saving {identifier(attachment.name, 60)}…", markup=False, timeout=2)
        try:
            path = await self.inbox.save_attachment(channel, attachment, self.downloads)
        except TransferFailed as failed:
            self.notify(f"Not saved: {failed}", severity="error", markup=False, timeout=10)
            return
        self.notify(f"Saved {identifier(attachment.name, 60)} as {identifier(str(path), 200)}",
                    markup=False, timeout=8)

    @work(group="files", exit_on_error=False)
    async def action_view_attachment(self) -> None:
        """An image drawn where the terminal can; its description elsewhere."""
        if (picked := await self._pick("View")) is None:
            return
        channel, attachment = picked
        image, why = None, "Not an image: Ctrl+S saves it."
        protocol = self.settings.ui.image_protocol
        if attachment.is_image and protocol is None:
            why = NO_PROTOCOL
        elif attachment.is_image:
            try:
                data = await self.inbox.attachment_bytes(channel, attachment)
            except TransferFailed as failed:
                data, why = None, f"It could not be shown: {failed}"
            image = image_widget(data, protocol) if data is not None else None
            if image is None and data is not None:
                why = "Pillow cannot read it as an image: Ctrl+S saves it."
        if await self.app.push_screen_wait(AttachmentScreen(attachment, image,
                                                            why_no_image=why)):
            await self._save(channel, attachment)

    @work(group="files", exit_on_error=False)
    async def action_send_file(self) -> None:
        if self.channel is None:
            self.notify("Open a conversation first.", severity="warning")
            return
        channel = self.channel
        owner = self.inbox.conversations[channel].assignee
        if owner not in (None, self.settings.agent.name):
            question = f"{one_line(owner, 30)} has this conversation. Send a file anyway?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, key="f10")):
                return
        text = await self.app.push_screen_wait(PromptScreen(
            "Send a file (path)", placeholder="~/Documents/invoice.pdf",
            hint="PubNub File Sharing takes files up to 5 MB.", check=_path_problem))
        if text is None:
            return
        name = identifier(Path(text.strip()).expanduser().name, 60)
        if self.channel == channel:
            self._open()  # sending a file is answering: chosen, read, as a reply is
        try:
            await self.inbox.send_file(channel, text)
        except ClaimLost as lost:
            self.notify(f"Not sent: {lost}", severity="warning", markup=False, timeout=10)
        except (FileRefused, TransferFailed) as error:
            self.notify(str(error), severity="error", markup=False, timeout=10)
        else:
            self.notify(f"Sent {name} to {identifier(channel, 60)}.", markup=False, timeout=4)
