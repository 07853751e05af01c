"""PubNub File Sharing as the console uses it: reading a file message, and sending,
downloading and sizing files through the SDK (which asks the server for each URL, so
Access Manager decides, as it does for customers)."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from pubnub.pubnub_asyncio import PubNubAsyncio

from suppgram_tui.model import Attachment

FILE_MESSAGE = 4
"""PubNub's message type of a file message (`e` in subscribe, `message_type` in history)."""


def guess_mime(name: str) -> str | None:
    """The MIME type a file name suggests (``invoice.pdf`` → ``application/pdf``)."""
    return mimetypes.guess_type(name, strict=False)[0]


def file_of(payload: Any) -> tuple[Any, Attachment]:
    """A file message's payload ``{"message": ..., "file": {"id", "name"}}`` as the
    message sent with it and the file; ValueError if it names no file."""
    file = payload.get("file") if isinstance(payload, dict) else None
    if not isinstance(file, dict) or not isinstance(file.get("id"), str) \
            or not isinstance(file.get("name"), str):
        raise ValueError("a file message that names no file id and name")
    name = file["name"]
    mime = file.get("mimeType") or file.get("type")  # some SDKs add it
    size = file.get("size")
    return payload.get("message"), Attachment(
        name=name, mime=mime if isinstance(mime, str) and mime else guess_mime(name),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        file_id=file["id"])


class FileSharing:
    """Send, download and list files on a conversation's channel, as the support user."""

    def __init__(self, client: Callable[[], PubNubAsyncio],
                 call: Callable[[Any], Awaitable[Any]]) -> None:
        self._client = client
        self._call = call

    async def send(self, channel: str, name: str, data: bytes, *, message: Any = None,
                   meta: dict[str, Any] | None = None,
                   custom_message_type: str | None = None) -> tuple[int, str]:
        """Upload `data` as `name` and publish its file message; its timetoken and the
        file's id."""
        request = (self._client().send_file().channel(channel).file_name(name)
                   .file_object(data).message(message).meta(meta).should_store(True))
        if custom_message_type:
            request = request.custom_message_type(custom_message_type)
        result = await self._call(request)
        return int(result.timestamp), str(result.file_id)

    def address(self, channel: str, file_id: str, name: str) -> str:
        """The file's File Sharing URL as the Chat SDK's ``getFileUrl`` names it, without
        this console's token or signature (the customer's app adds its own)."""
        client = self._client()
        return (client.config.scheme_extended() + client.base_origin
                + f"/v1/files/{client.config.subscribe_key}/channels/{quote(channel, safe='')}"
                  f"/files/{quote(file_id, safe='')}/{quote(name, safe='')}")

    async def download(self, channel: str, file_id: str, name: str) -> bytes:
        """The file's bytes; `LinkRequestError` (404, 403, no answer) in words."""
        try:
            result = await self._call(self._client().download_file().channel(channel)
                                      .file_id(file_id).file_name(name))
        except AttributeError:
            # SDK 10.8 fails so when the server refuses the download URL (a 403): ask for
            # the URL alone, whose refusal says why; else the SDK's own failure stands
            await self._call(self._client().get_file_url().channel(channel)
                             .file_id(file_id).file_name(name))
            raise
        data = result.data
        return data if isinstance(data, bytes) else bytes(data or b"")

    async def sizes(self, channel: str) -> dict[str, int]:
        """file id → size in bytes, for the channel's files (the newest 100)."""
        result = await self._call(self._client().list_files().channel(channel))
        return {str(item["id"]): int(item["size"]) for item in result.data or []
                if isinstance(item, dict) and "id" in item
                and isinstance(item.get("size"), int)}
