"""File Sharing: upload URL, upload, file message, list, download, delete.

PubNub hands out a pre-signed S3 form; here the form posts back to this server's own
origin, signed with a key that lives as long as the server. The SDKs follow the same
steps unchanged: `generate-upload-url`, a multipart POST to the URL it names (answered
204, as S3 does), then `publish-file`, whose message subscribers get as an `e: 4`
envelope and history keeps with `message_type` 4. Downloads are a 307 to a signed URL.
Access Manager: send needs `write` on the channel, list and download `read`, delete
`delete`; the upload and content URLs are authorised by their signature alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy as email_policy
from email.parser import BytesParser
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import json_input
from .clock import now_ticks
from .errors import (
    PUBLISH_ERRORS,
    json_response,
    nested_error,
    nested_errors,
    publish_bad_param,
    publish_error,
)
from .events import FILE, Event
from .file_store import FileStore, StoredFile
from .limits import MAX_PUBLISH_BYTES, publish_size
from .persistence import StoredMessage
from .request import caller_uuid, int_param, json_object_param, need_on, text_param
from .routing import Call, Feature

if TYPE_CHECKING:
    from .server import LocalServer

FILES = Feature("files", "File Sharing")
ERRORS = nested_errors("files")
MAX_FILE_BYTES = 5 * 1024 * 1024
"""PubNub's limit per file."""
UPLOAD_SECONDS = 60
"""How long an upload form stays valid (PubNub's S3 forms expire after a minute)."""
DOWNLOAD_SECONDS = 3600
MAX_LIST = 100


@dataclass(frozen=True, slots=True)
class PendingUpload:
    subkey: str
    channel: str
    name: str
    expires: int


class FileService:
    """The keyset's files and the key that signs their upload and download URLs."""

    def __init__(self, server: LocalServer) -> None:
        self.store = FileStore(server.persistence.db)
        self._key = secrets.token_bytes(32)
        self.pending: dict[str, PendingUpload] = {}

    def sign(self, *parts: str) -> str:
        digest = hmac.new(self._key, "\n".join(parts).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def valid(self, signature: str | None, *parts: str) -> bool:
        return signature is not None and hmac.compare_digest(signature, self.sign(*parts))


def register(server: LocalServer) -> None:
    server.files = FileService(server)
    add = partial(server.router.add, feature=FILES, errors=ERRORS)
    base = "/v1/files/{sub}/channels/{channel}"
    add("POST", base + "/generate-upload-url", generate_upload_url,
        needs=need_on("channels", "channel", "write"))
    add("GET", base + "/files", list_files, needs=need_on("channels", "channel", "read"))
    add("GET", base + "/files/{id}/{name}", download_url,
        needs=need_on("channels", "channel", "read"))
    add("DELETE", base + "/files/{id}/{name}", delete_file,
        needs=need_on("channels", "channel", "delete"))
    add("POST", "/v1/files-upload/{sub}/{id}", upload, open_access=True)
    add("GET", "/v1/files-content/{sub}/{channel}/{id}/{name}", content, open_access=True)
    server.router.add("GET", "/v1/files/publish-file/{pub}/{sub}/0/{channel}/0/{message}",
                      publish_file, needs=need_on("channels", "channel", "write"),
                      feature=FILES, errors=PUBLISH_ERRORS)


def _origin(call: Call) -> str:
    return f"{call.request.scheme}://{call.request.host}"


def _service(call: Call) -> FileService:
    return call.server.files


async def generate_upload_url(call: Call) -> web.StreamResponse:
    try:
        body = json_input.loads((await call.request.read()).decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        raise nested_error(400, "Invalid request body: must be JSON", "files") from None
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name or len(name) > 1024 or "/" in name:
        raise nested_error(400, "Invalid file name", "files")
    service, subkey = _service(call), call.server.keyset(call.params["sub"]).subkey
    file_id = str(uuid_module.uuid4())
    expires = int(time.time()) + UPLOAD_SECONDS
    service.pending[file_id] = PendingUpload(subkey, call.params["channel"], name, expires)
    policy = service.sign("upload", subkey, file_id, str(expires))
    key = f"{subkey}/{file_id}/{name}"
    expiration = datetime.fromtimestamp(expires, timezone.utc)
    return json_response({
        "status": 200,
        "data": {"id": file_id, "name": name},
        "file_upload_request": {
            "url": f"{_origin(call)}/v1/files-upload/{subkey}/{file_id}",
            "method": "POST",
            "expiration_date": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "form_fields": [
                {"key": "key", "value": key},
                {"key": "Content-Type", "value": "application/octet-stream"},
                {"key": "X-Local-Expires", "value": str(expires)},
                {"key": "X-Local-Signature", "value": policy},
            ],
        },
    }, content_type="application/json")


def _s3_error(status: int, code: str, message: str) -> web.Response:
    """S3 answers a refused form in XML; the SDKs read only the status."""
    return web.Response(status=status, content_type="application/xml", text=(
        f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
        f"<Message>{message}</Message></Error>"))


def _form(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """A multipart form's fields: name → (file name, bytes). The server has read the
    body already (to bound its arrival), so it is parsed from the bytes, not the stream."""
    if not content_type.startswith("multipart/form-data"):
        raise ValueError("not a multipart form")
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValueError("a multipart form without parts")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


async def upload(call: Call) -> web.StreamResponse:
    service, file_id = _service(call), call.params["id"]
    try:
        form = _form(call.request.headers.get("Content-Type", ""), await call.request.read())
    except ValueError:
        return _s3_error(400, "MalformedPOSTRequest", "The body is not a multipart form.")

    def text(name: str) -> str:
        return form.get(name, (None, b""))[1].decode("utf-8", "replace")

    pending = service.pending.get(file_id)
    expires = text("X-Local-Expires")
    if pending is None or pending.subkey != call.params["sub"] or not service.valid(
            text("X-Local-Signature"), "upload", pending.subkey, file_id, expires):
        return _s3_error(403, "AccessDenied", "Invalid upload form.")
    if not expires.isdigit() or int(expires) < time.time():
        del service.pending[file_id]
        return _s3_error(403, "AccessDenied", "Request has expired.")
    if "file" not in form:
        return _s3_error(400, "InvalidArgument", "The form has no file.")
    data = form["file"][1]
    if len(data) > MAX_FILE_BYTES:
        return _s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum "
                                                "allowed size (5 MB).")
    del service.pending[file_id]
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    content_type = text("Content-Type") or "application/octet-stream"
    service.store.add(pending.subkey, StoredFile(pending.channel, file_id, pending.name,
                                                 content_type, len(data), created), data)
    return web.Response(status=204)


async def publish_file(call: Call) -> web.StreamResponse:
    server, channel = call.server, call.params["channel"]
    text = call.params["message"]
    if publish_size(channel, text, text_param(call, "meta")) > MAX_PUBLISH_BYTES:
        raise publish_error(413, "Message Too Large", now_ticks())
    try:
        payload = json_input.loads(text)
    except ValueError:
        raise publish_error(400, "Invalid JSON", now_ticks()) from None
    file = payload.get("file") if isinstance(payload, dict) else None
    if not isinstance(file, dict) or not isinstance(file.get("id"), str) or \
            not isinstance(file.get("name"), str):
        raise publish_error(400, "Invalid file message: needs file.id and file.name",
                            now_ticks())
    meta = None if text_param(call, "meta") == "null" else json_object_param(
        call, "meta", publish_bad_param)  # the Python SDK sends meta=null when it has none
    custom_type = text_param(call, "custom_message_type")
    keyset = server.keyset(call.params["sub"])
    timetoken = server.clock.next()
    event = Event(timetoken, channel, payload, caller_uuid(call) or None, meta, custom_type,
                  FILE)
    if text_param(call, "store") != "0":
        server.persistence.store_message(keyset.subkey, StoredMessage(
            channel, timetoken, event.publisher, payload, meta, custom_type, FILE))
    keyset.append(event)
    return json_response([1, "Sent", str(timetoken)])


async def list_files(call: Call) -> web.StreamResponse:
    service, subkey = _service(call), call.server.keyset(call.params["sub"]).subkey
    channel = call.params["channel"]
    limit = min(int_param(call, "limit", ERRORS.bad_param, default=MAX_LIST) or MAX_LIST,
                MAX_LIST)
    after = _decode_cursor(text_param(call, "next"))
    files = service.store.page(subkey, channel, after=after, limit=limit)
    body: dict[str, Any] = {"status": 200, "data": [f.listing() for f in files],
                            "count": len(files)}
    if len(files) == limit and service.store.page(
            subkey, channel, after=_cursor_of(files[-1]), limit=1):
        body["next"] = _encode_cursor(_cursor_of(files[-1]))
    return json_response(body, content_type="application/json")


def _cursor_of(file: StoredFile) -> str:
    return f"{file.created}|{file.id}"


def _encode_cursor(cursor: str) -> str:
    return base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")


def _decode_cursor(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ERRORS.bad_param("next", "is not a cursor this server gave") from None


async def download_url(call: Call) -> web.StreamResponse:
    """A 307 to a signed URL, whether or not the file exists: as on PubNub, whose
    storage then answers 404 (the Python SDK fails on a missing redirect)."""
    subkey = call.server.keyset(call.params["sub"]).subkey
    expires = str(int(time.time()) + DOWNLOAD_SECONDS)
    signature = _service(call).sign("download", subkey, call.params["channel"],
                                    call.params["id"], expires)
    location = (f"{_origin(call)}/v1/files-content/{subkey}/{call.raw_params['channel']}/"
                f"{call.raw_params['id']}/{call.raw_params['name']}?X-Local-Expires={expires}"
                f"&X-Local-Signature={signature}")
    return web.Response(status=307, headers={"Location": location})


async def content(call: Call) -> web.StreamResponse:
    expires = text_param(call, "X-Local-Expires") or ""
    subkey = call.params["sub"]
    signed = _service(call).valid(text_param(call, "X-Local-Signature"), "download", subkey,
                                  call.params["channel"], call.params["id"], expires)
    if not signed or not expires.isdigit() or int(expires) < time.time():
        return _s3_error(403, "AccessDenied", "Request has expired or is not signed.")
    found = _service(call).store.find(subkey, call.params["channel"], call.params["id"],
                                      call.params["name"])
    if found is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    file, data = found
    return web.Response(body=data, content_type=file.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{call.raw_params['name']}"})


async def delete_file(call: Call) -> web.StreamResponse:
    subkey = call.server.keyset(call.params["sub"]).subkey
    _service(call).store.delete(subkey, call.params["channel"], call.params["id"],
                                call.params["name"])
    return json_response({"status": 200}, content_type="application/json")
