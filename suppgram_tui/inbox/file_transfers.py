"""Files both ways: saving a customer's attachment, sending the agent's file, and
looking up sizes File Sharing's file message leaves out.

Saving downloads through the SDK, which asks the server for the URL, so a file this
console may not read is refused as PubNub refuses it. Sending a file answers the
conversation as a reply does: one nobody has taken is claimed first.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from suppgram_tui.converters import ConverterLike, OutgoingMessage, reply_publication
from suppgram_tui.converters.chat_sdk import speaks_chat_sdk
from suppgram_tui.converters.guard import ConverterFailed
from suppgram_tui.link.errors import LinkRequestError, PublishRefused
from suppgram_tui.model import Attachment, ConversationState, Message, MessageKind

from .actions import ActionFailed, ClaimLost
from .attachments import MAX_FILE_BYTES, guess_mime, human_size, write_new_file
from .conversation import Conversations, Entry
from .events import EntryUpdated, InboxEvent, Notice
from .transport import Transport

log = logging.getLogger(__name__)


class FileRefused(Exception):
    """A file that cannot be sent as it is (missing, a folder, too large): nothing was
    sent; the message says why."""


class TransferFailed(Exception):
    """Saving or sending a file failed (refused, not found, no answer); in words."""


def checked_path(text: str) -> Path:
    """The file an agent named (``~`` expanded), if it can be sent; else `FileRefused`."""
    if not text.strip():
        raise FileRefused("Name a file to send.")
    path = Path(text.strip()).expanduser()
    if not path.exists():
        raise FileRefused(f"There is no file at {path}. Nothing was sent.")
    if not path.is_file():
        raise FileRefused(f"{path} is not a file (a folder?). Nothing was sent.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileRefused(f"{path.name} is {human_size(size)}; PubNub takes files of at most "
                          f"{human_size(MAX_FILE_BYTES)}. Nothing was sent.")
    return path


class FileTransfers:
    """The conversation's files, as one agent saves and sends them."""

    def __init__(self, conversations: Conversations, transport: Transport, *,
                 converter: ConverterLike, agent_name: str, clock: Callable[[], datetime],
                 claim: Callable[[str], Awaitable[None]],
                 emit: Callable[[InboxEvent], None]) -> None:
        self.conversations = conversations
        self.transport = transport
        self.converter = converter
        self.agent_name = agent_name
        self.clock = clock
        self._claim = claim
        self._emit = emit
        self._sizing: set[str] = set()
        """Channels whose sizes are being looked up now."""
        self._looked_for: set[str] = set()
        """File ids already looked up: one the list does not have is not asked again."""

    async def fetch(self, channel: str, attachment: Attachment) -> bytes:
        """The attachment's bytes: carried in the message, or downloaded through the
        SDK. `TransferFailed` in words (404, 403, no answer)."""
        if attachment.data is not None:
            return attachment.data
        if attachment.file_id is None:
            raise TransferFailed(f"{attachment.name} names no file PubNub keeps; "
                                 "it cannot be downloaded.")
        if _has_control_characters(attachment.name):
            raise TransferFailed("The file could not be downloaded: the PubNub SDK cannot ask "
                                 "for a file whose name has control characters (a newline, "
                                 "an escape).")
        try:
            return await self.transport.download_file(channel, attachment.file_id,
                                                       attachment.name)
        except LinkRequestError as error:
            raise TransferFailed(_download_failure(error)) from None
        except (OSError, asyncio.TimeoutError) as error:
            raise TransferFailed(f"The file could not be downloaded: {error or 'no answer'}."
                                 ) from None
        except AttributeError:  # SDK 10.8, when the server gives no download URL
            raise TransferFailed("The file could not be downloaded: PubNub gave no "
                                 "address for it.") from None

    async def save(self, channel: str, attachment: Attachment, directory: Path) -> Path:
        """Fetch it and write it to a new file in `directory`; the path."""
        data = await self.fetch(channel, attachment)
        try:
            return await asyncio.to_thread(write_new_file, directory, attachment.name, data)
        except OSError as error:
            raise TransferFailed(f"The file could not be saved in {directory}: "
                                 f"{error.strerror or error}.") from None

    async def send(self, channel: str, text: str) -> int:
        """Send the file at `text` on `channel`, claiming a conversation nobody has; the
        timetoken. `FileRefused` (nothing sent), `ClaimLost`, `TransferFailed`."""
        path = checked_path(text)
        data = await asyncio.to_thread(path.read_bytes)
        if len(data) > MAX_FILE_BYTES:  # it grew since the check
            raise FileRefused(f"{path.name} is {human_size(len(data))}; PubNub takes files of "
                              f"at most {human_size(MAX_FILE_BYTES)}. Nothing was sent.")
        conversation = self.conversations.ensure(channel)
        if conversation.assignee is None and conversation.state is not ConversationState.RESOLVED:
            try:
                await self._claim(channel)
            except ClaimLost:  # another agent has it: nothing is sent
                raise
            except ActionFailed as failed:  # as a reply: a refused claim does not stop it
                self._emit(Notice(str(failed), "error"))
        try:
            if speaks_chat_sdk(self.converter):
                return await self._send_as_chat_sdk(channel, path.name, data)
            outgoing = self._publication(Message(MessageKind.FROM_AGENT, self.clock(),
                                                 path.name))
            timetoken, _ = await self.transport.send_file(
                channel, path.name, data, message=outgoing.message, meta=outgoing.meta,
                custom_message_type=outgoing.custom_message_type)
            return timetoken
        except (LinkRequestError, PublishRefused) as error:
            raise TransferFailed(f"{path.name} was not sent: {error}") from None
        except (OSError, asyncio.TimeoutError) as error:
            raise TransferFailed(f"{path.name} was not sent: {error or 'no answer'}.") from None
        except AttributeError:  # SDK 10.8 fails so when the upload itself is refused
            raise TransferFailed(f"{path.name} was not sent: PubNub refused the upload."
                                 ) from None

    async def _send_as_chat_sdk(self, channel: str, name: str, data: bytes) -> int:
        """As the Chat SDK's sendText with a file: the upload, then a text message whose
        ``files`` name it, which is what a Chat SDK app shows."""
        upload = self._publication(Message(MessageKind.FROM_AGENT, self.clock(), ""))
        self._publication(Message(MessageKind.FROM_AGENT, self.clock(), "", attachments=(
            Attachment(name=name, file_id="not-yet"),)))  # encodable, before the upload
        _, file_id = await self.transport.send_file(channel, name, data, meta=upload.meta)
        file = Attachment(name=name, mime=guess_mime(name), size=len(data), file_id=file_id,
                          url=self.transport.file_address(channel, file_id, name))
        text = self._publication(Message(MessageKind.FROM_AGENT, self.clock(), "",
                                         attachments=(file,)))
        return await self.transport.publish(channel, text.message, text.meta,
                                            text.custom_message_type)

    def _publication(self, message: Message) -> OutgoingMessage:
        """The converter's payload with the reply's meta (agent, client id); a converter
        that cannot encode it is said, before anything is sent."""
        try:
            return reply_publication(self.converter, message, agent=self.agent_name,
                                     client_id=uuid.uuid4().hex)
        except ConverterFailed as failed:  # the guard's sentence names file and line
            raise TransferFailed(f"The converter could not encode the file's message: "
                                 f"{str(failed).rstrip('.')}. Nothing was sent.") from None

    async def look_up_sizes(self, channel: str) -> None:
        """Fill in the sizes File Sharing's file messages leave out, from its file list;
        an entry whose size is found is drawn again. Failures leave "size unknown"."""
        conversation = self.conversations.get(channel)
        if conversation is None or channel in self._sizing:
            return
        unsized = [e for e in conversation.entries
                   if any(a.size is None and a.file_id and a.file_id not in self._looked_for
                          for a in e.attachments)]
        if not unsized:
            return
        self._looked_for.update(a.file_id for e in unsized for a in e.attachments if a.file_id)
        self._sizing.add(channel)
        try:
            sizes = await self.transport.file_sizes(channel)
        except Exception as error:  # noqa: BLE001 - a size is a nicety
            log.info("file sizes of %s not known: %r", channel, error)
            return
        finally:
            self._sizing.discard(channel)
        for entry in unsized:
            if _apply_sizes(entry, sizes):
                self._emit(EntryUpdated(channel, entry))


def _apply_sizes(entry: Entry, sizes: dict[str, int]) -> bool:
    sized = tuple(
        replace(attachment, size=size)
        if attachment.size is None and (size := sizes.get(attachment.file_id or "")) is not None
        else attachment
        for attachment in entry.attachments)
    if sized == entry.attachments:
        return False
    entry.attachments = sized
    entry.revision += 1
    return True


def _has_control_characters(name: str) -> bool:
    """SDK 10.8 puts a file's name in the URL as it is, which no HTTP client sends."""
    return any(ord(c) < 32 or ord(c) == 127 for c in name)


def _download_failure(error: LinkRequestError) -> str:
    match error.status_code:
        case 404:
            return "PubNub no longer has this file (HTTP 404): it may have been deleted."
        case 403:
            return ("PubNub refused the download: these keys or this token may not read "
                    "this conversation's files (HTTP 403).")
    return f"The file could not be downloaded: {error}"
