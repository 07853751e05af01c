"""The converter contract: what a converter receives, returns and raises.

A project's customers' apps speak whatever JSON they speak; a converter class translates
it to ``Message`` records and back. No PubNub import here: the link builds ``WireMessage``
records for live and history messages alike.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from suppgram_tui.model import Attachment, Message, MessageKind

from .guard import ConverterFailed, call_converter
from .guard import describe as describe_error  # noqa: F401 - imported from here


@dataclass(frozen=True)
class WireMessage:
    """A message as PubNub delivered it, with the attributes of the SDK's
    ``PNMessageResult``, so converters written against the SDK read it unchanged."""

    message: Any
    channel: str
    publisher: str | None
    timetoken: int
    user_metadata: Any = None
    """The publish's meta, as published (None when it had none)."""
    subscription: str | None = None
    """The channel group it arrived through (live messages only)."""
    custom_message_type: str | None = None
    """PubNub's custom message type, as published (``cmt`` in subscribe,
    ``custom_message_type`` in history); None when it had none."""
    file: Attachment | None = None
    """The file of a file message (the SDK's ``send_file``: ``e: 4`` in subscribe,
    ``message_type`` 4 in history); ``message`` is then the message sent with it, as
    the SDK's ``PNFileMessageResult`` has it."""


class UndecodableMessage(ValueError):
    """A payload a converter cannot turn into a ``Message``; the text says why, in words,
    so the console can show it next to the raw JSON."""


class IgnoredMessage(Exception):
    """Raised by ``convert_from_pubnub`` for a message that is not a chat message (a read
    receipt, a bot's event): the console files it in no conversation, counts it nowhere
    and shows it only in the raw view (F2), with this text as the reason. Returning
    None means the same."""


class ConverterLoadError(Exception):
    """A converter named on the command line could not be loaded; the text is one
    sentence an operator can act on."""


class ConverterLike(Protocol):
    """Anything with the two converter methods: ours, Suppgram's, or a duck."""

    def convert_from_pubnub(self, message: Any) -> Any: ...

    def convert_to_pubnub(self, message: Any) -> Any: ...


class MessageConverter(abc.ABC):
    """Converts a project's PubNub JSON to ``Message`` and back (Suppgram's interface)."""

    @abc.abstractmethod
    def convert_from_pubnub(self, message: WireMessage) -> Message | None:
        """Decode one received message; raise ``UndecodableMessage`` if it cannot be
        read, ``IgnoredMessage`` (or return None) if it is no chat message at all."""

    @abc.abstractmethod
    def convert_to_pubnub(self, message: Message) -> Any:
        """Encode a message as the JSON-able payload to publish, or as an
        ``OutgoingMessage`` to publish it with meta or a custom message type."""


def normalize_message(obj: Any) -> Message:
    """Accept our ``Message`` or anything shaped like Suppgram's (kind, time_utc, text,
    optionally image), so converters written for Suppgram work unchanged."""
    if isinstance(obj, Message) and isinstance(obj.text, (str, type(None))) \
            and isinstance(obj.image, (bytes, type(None))):
        return obj  # else a Message built with wrong-typed fields: checked as a look-alike
    try:
        raw_kind, time_utc = obj.kind, obj.time_utc
    except AttributeError as exc:
        raise UndecodableMessage(
            f"the converter returned {type(obj).__name__}, which is not a message "
            f"(it has no {exc.name!r})"
        ) from None
    kind_value = getattr(raw_kind, "value", raw_kind)
    if not isinstance(kind_value, str):
        raise UndecodableMessage(f"message kind {short_repr(raw_kind)} is not a string")
    if not isinstance(time_utc, datetime):
        raise UndecodableMessage(f"message time {short_repr(time_utc)} is not a datetime")
    if time_utc.utcoffset() is None:
        raise UndecodableMessage(f"message time {time_utc.isoformat()} has no UTC offset")
    text, image = getattr(obj, "text", None), getattr(obj, "image", None)
    if text is not None and not isinstance(text, str):
        raise UndecodableMessage(f"message text is {type(text).__name__}, not a string")
    if image is not None and not isinstance(image, bytes):
        raise UndecodableMessage(f"message image is {type(image).__name__}, not bytes")
    mime = getattr(obj, "image_mime", None)
    attachments = getattr(obj, "attachments", ())
    return Message(
        kind=parse_kind(kind_value),
        time_utc=time_utc,
        text=text,
        image=image,
        image_mime=mime if isinstance(mime, str) else None,
        attachments=tuple(a for a in attachments if isinstance(a, Attachment))
        if isinstance(attachments, (tuple, list)) else (),
    )


def decode_message(converter: ConverterLike, wire: WireMessage) -> Message:
    """Run a converter on one received message; whatever goes wrong (it raises, hangs,
    returns no message) becomes ``UndecodableMessage``, so one bad payload or buggy
    converter never stops the inbox. ``IgnoredMessage`` passes through, and a None
    result becomes one."""
    try:
        result = call_converter(converter, "convert_from_pubnub", wire,
                                passing=(UndecodableMessage, IgnoredMessage))
    except ConverterFailed as failed:
        raise UndecodableMessage(str(failed)) from failed
    if result is None:
        raise IgnoredMessage("the converter returned None")
    return normalize_message(result)


def ignored_reason(exc: IgnoredMessage) -> str:
    """The reason an ``IgnoredMessage`` gives, or a stand-in when it gives none."""
    return str(exc) or "the converter ignored it"


def parse_kind(value: str) -> MessageKind:
    """A wire string as a ``MessageKind``; an unknown one is undecodable, in words."""
    try:
        return MessageKind(value)
    except ValueError:
        known = ", ".join(kind.value for kind in MessageKind)
        raise UndecodableMessage(
            f"unknown message kind {short_repr(value)} (expected one of {known})"
        ) from None


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters, so a huge payload cannot flood a sentence."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
