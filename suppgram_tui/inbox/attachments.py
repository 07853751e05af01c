"""Attachments: what a message carried, how it is described, and where a saved one goes.

A file's name is the sender's text: it is shown as data and, when saved, reduced to one
plain file name inside the downloads directory (no path, no control characters, no
leading dot), and never overwrites a file: ``invoice (1).pdf``.
"""

from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from pathlib import Path

from suppgram_tui.converters import WireMessage
from suppgram_tui.model import Attachment, Message, MessageKind
from suppgram_tui.timetokens import to_datetime

MAX_FILE_BYTES = 5 * 1024 * 1024
"""PubNub File Sharing's limit per file (5 MB)."""
MAX_NAME_CHARS = 120
_IMAGE_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                     "image/webp": ".webp", "image/bmp": ".bmp"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]+")


def attachments_of(wire: WireMessage, message: Message | None) -> tuple[Attachment, ...]:
    """The file of a file message, the files a converter read (the Chat SDK's), and a
    Suppgram image, in that order."""
    if wire.file is None and (message is None or (
            not message.attachments and message.image is None)):
        return ()  # the common case, shared by every message without a file
    found = [wire.file] if wire.file is not None else []
    if message is not None:
        found.extend(message.attachments)
        if message.image is not None:
            mime = message.image_mime or "image/png"
            found.append(Attachment(name="image" + _IMAGE_EXTENSIONS.get(mime, ""),
                                    mime=mime, size=len(message.image), data=message.image))
    return tuple(found)


def guess_mime(name: str) -> str | None:
    """The MIME type a file name suggests (``invoice.pdf`` → ``application/pdf``)."""
    return mimetypes.guess_type(name, strict=False)[0]


def file_message_text(inner: object) -> str | None:
    """The words sent with a file when no converter reads them: a string, or the
    ``text`` of an object (what most apps send with `send_file`)."""
    if isinstance(inner, str):
        return inner or None
    if isinstance(inner, dict) and isinstance(inner.get("text"), str):
        return inner["text"] or None
    return None


def plain_file_message(wire: WireMessage, *, customer: bool) -> Message:
    """A file message the converter cannot read is still a message: the file, and what
    words came with it."""
    return Message(kind=MessageKind.FROM_CUSTOMER if customer else MessageKind.FROM_AGENT,
                   time_utc=to_datetime(wire.timetoken), text=file_message_text(wire.message))


def human_size(size: int | None) -> str:
    """``1.4 KB``, ``48 KB``, ``1.2 MB``, ``512 bytes``; ``size unknown`` if not known yet."""
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 10 * 1024:  # 1,474 bytes is 1.4 KB, not "1 KB"
        return f"{size / 1024:.1f} KB"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def safe_file_name(name: str) -> str:
    """`name` as one harmless file name: the last path part, without control, format
    (bidi overrides, which disguise an extension) or reserved characters, no leading
    dots, at most 120 characters; ``file`` if nothing is left."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if unicodedata.category(c) in ("Cc", "Cf") else c for c in name)
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        keep = extension[:16] if dot and stem else ""
        name = name[: MAX_NAME_CHARS - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name or "file"


def unused_path(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name (1)``, ``name (2)``… if taken: never overwrites."""
    name = safe_file_name(name)
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    candidate, number = directory / name, 0
    while candidate.exists():
        number += 1
        candidate = directory / (f"{stem} ({number})" + (f".{extension}" if extension else ""))
    return candidate


def write_new_file(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` to a new file in `directory` (made if missing), never replacing one:
    the file is created exclusively, so a file appearing meanwhile is not overwritten."""
    directory.mkdir(parents=True, exist_ok=True)
    while True:
        path = unused_path(directory, name)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        return path
