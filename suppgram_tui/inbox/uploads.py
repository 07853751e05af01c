"""The Chat SDK sends a message's files in two steps: each file with File Sharing (a
file message of its own, with no text), then the text message naming them in
``files``. The console shows the file once, under the text: the upload is set aside
for the raw view, whichever of the two it reads first."""

from __future__ import annotations

from .conversation import Conversation, Entry


def carried_ids(entry: Entry) -> set[str]:
    """File ids a decoded message names itself (the Chat SDK's ``files``)."""
    if entry.message is None:
        return set()
    return {a.file_id for a in entry.message.attachments if a.file_id}


def upload_id(entry: Entry) -> str | None:
    """The file id of a file message the converter had nothing more to say about."""
    if not entry.attachments or (entry.message is not None and entry.message.attachments):
        return None
    return entry.attachments[0].file_id if entry.attachments[0].data is None else None


def already_carried(conversation: Conversation, entry: Entry) -> bool:
    """`entry` is the upload of a file another message shows."""
    file_id = upload_id(entry)
    return file_id is not None and any(file_id in carried_ids(other)
                                       for other in conversation.entries)


def uploads_of(conversation: Conversation, entry: Entry) -> list[Entry]:
    """The uploads of the files `entry` names, shown earlier as messages of their own."""
    ids = carried_ids(entry)
    return [other for other in conversation.entries
            if other is not entry and ids and upload_id(other) in ids] if ids else []
