"""Customers on PubNub's Chat SDK: ``{"type": "text", "text": ..., "files": [...]}``.

The payload says neither who wrote it nor when, so this converter reads the envelope:
the time is the timetoken, the side is the publisher (the support user's messages are
the agents'). Agents' replies go out as the Chat SDK's own text messages, so a Chat SDK
app shows them as ordinary messages, and an agent's file as the Chat SDK sends one: the
upload, then a text message naming it in ``files``. What the Chat SDK has no word for
(resolved, postponed, a rating) travels as a text message with a custom message type, which this
converter reads back; anything that is not a text message (custom events, reports) is
no chat message and is ignored. It is also the envelope-aware example in README.
"""

from __future__ import annotations

from typing import Any

from suppgram_tui.model import Attachment, Message, MessageKind
from suppgram_tui.timetokens import to_datetime

from .base import IgnoredMessage, MessageConverter, UndecodableMessage, WireMessage
from .envelope import OutgoingMessage

KIND_TYPES = {
    MessageKind.RESOLVED: "suppgram-resolved",
    MessageKind.POSTPONED: "suppgram-postponed",
    MessageKind.RATED: "suppgram-rated",
}
"""Custom message types for the kinds the Chat SDK has no message for."""
NOTICES = {
    MessageKind.RESOLVED: "This conversation has been resolved.",
    MessageKind.POSTPONED: "An agent will be with you shortly.",
    MessageKind.RATED: "Rated.",
}
"""What the customer's app shows for a notice that has no text of its own."""
_KINDS_BY_TYPE = {value: kind for kind, value in KIND_TYPES.items()}


class ChatSdkConverter(MessageConverter):
    """PubNub Chat SDK text messages; time from the timetoken, side from the publisher."""

    support_user: str = "support"
    """Whose messages are the agents'; the console sets it to its --pubnub-user-id."""
    chat_sdk = True
    """Tells the console its customers are on PubNub's Chat SDK, so it speaks the Chat
    SDK's conventions beside its messages: the typing signal
    ``{"type": "typing", "value": true}``, message actions (edits, deletes, reactions,
    threads) read with history, customers' names from App Context and read receipts
    (membership ``lastReadMessageTimetoken``). A converter of your own for Chat SDK apps
    sets the same class attribute."""

    def convert_from_pubnub(self, message: WireMessage) -> Message:
        payload = message.message
        if not isinstance(payload, dict) or payload.get("type") != "text":
            # emitCustomEvent publishes any payload as it is; reports and other events
            # carry their own type: none is a chat message
            raise IgnoredMessage(_what(payload, message.custom_message_type))
        text = payload.get("text")
        if not isinstance(text, str):
            raise UndecodableMessage("a Chat SDK text message whose 'text' is not a string")
        kind = _KINDS_BY_TYPE.get(message.custom_message_type or "")
        if kind is None:
            agent = message.publisher == self.support_user
            kind = MessageKind.FROM_AGENT if agent else MessageKind.FROM_CUSTOMER
        elif text == NOTICES[kind]:
            text = None  # the stand-in sent for a notice without text
        return Message(kind=kind, time_utc=to_datetime(message.timetoken), text=text,
                       attachments=attachments_of(payload.get("files")))

    def convert_to_pubnub(self, message: Message) -> Any:
        if message.image is not None:
            raise ValueError("Chat SDK apps receive files through PubNub File Sharing, "
                             "not inside a message; this converter sends text only")
        if message.kind in KIND_TYPES:
            text = NOTICES[message.kind] if message.text is None else message.text
            return OutgoingMessage({"type": "text", "text": text},
                                   custom_message_type=KIND_TYPES[message.kind])
        payload: dict[str, Any] = {"type": "text", "text": message.text or ""}
        if message.attachments:  # files already in File Sharing, as sendText names them
            payload["files"] = [{"name": a.name, "id": a.file_id, "url": a.url,
                                 "type": a.mime or ""} for a in message.attachments]
        return payload


def _what(payload: Any, custom_message_type: str | None) -> str:
    """Why a payload is no Chat SDK text message, in words."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    if isinstance(kind, str):
        return f"a Chat SDK {kind!r} message, not a chat message"
    typed = f" of type {custom_message_type!r}" if custom_message_type else ""
    return f"no Chat SDK text message (a custom event{typed}, emitCustomEvent)"


def speaks_chat_sdk(converter: Any) -> bool:
    """The converter's class attribute `chat_sdk = True` says customers use the Chat SDK."""
    return getattr(converter, "chat_sdk", False) is True


def attachments_of(files: Any) -> tuple[Attachment, ...]:
    """The Chat SDK's ``files`` (``[{"name", "id", "url", "type"}]``) as attachments;
    their contents stay in File Sharing until an agent saves one."""
    if not isinstance(files, list):
        return ()
    found = []
    for file in files:
        if not isinstance(file, dict):
            continue
        name, file_id = file.get("name"), file.get("id")
        mime, url = file.get("type") or file.get("mimeType"), file.get("url")
        found.append(Attachment(
            name=name if isinstance(name, str) and name else str(file_id or "file"),
            mime=mime if isinstance(mime, str) and mime else None,
            file_id=file_id if isinstance(file_id, str) and file_id else None,
            url=url if isinstance(url, str) and url else None))
    return tuple(found)
