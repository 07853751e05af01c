"""One transcript entry as lines: its message, and under it (F2) its wire form, capped.

The message is as long as PubNub lets a publish be (~32 KB); the envelope and raw JSON
of the wire view are not (a meta can be hundreds of KB from another server or an old
history), so the wire view shows a preview of each and says how much more the payload
inspector (F7) has.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich._wrap import divide_line
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from suppgram_tui.inbox import Author, Delivery, Entry
from suppgram_tui.inbox.attachments import human_size
from suppgram_tui.model import Attachment
from suppgram_tui.text import identifier, visible
from suppgram_tui.timetokens import to_datetime

from ..formatting import clock_time

RAW_PREVIEW_CHARS = 2000
"""What the wire view shows of an envelope or a raw JSON: a screenful at most."""
INSPECT_KEY = "F7"
THREAD_LINES = 3
"""A thread's newest replies shown under the message it hangs on (F8 shows them all)."""
THREAD_KEY = "F8"


@dataclass(frozen=True)
class EntryStyles:
    """The transcript's component styles, looked up once per render."""

    author: Style
    meta: Style
    error: Style
    raw: Style


def message_texts(entry: Entry, styles: EntryStyles) -> list[Text]:
    """The header line and the text (or why it could not be decoded)."""
    header = Text(end="")
    # PubNub's timetoken is when it really arrived; a payload's own time can be off
    moment = to_datetime(entry.timetoken) if entry.timetoken else (
        entry.message.time_utc if entry.message else None)
    header.append(clock_time(moment) if moment else "--:--", styles.meta)
    header.append("  ")
    header.append(author_label(entry), styles.author)
    status = _delivery_label(entry)
    if status:
        header.append(f"  {status}", styles.error if entry.delivery is Delivery.FAILED
                      else styles.meta)
    body: list[Text] = [header]
    if entry.ignored is not None:  # shown in the raw view only
        body.append(Text(visible(f"· ignored: {entry.ignored}"), style=styles.meta))
    elif entry.undecodable:
        body.append(Text(visible(f"⚠ undecodable: {entry.error}"), style=styles.error))
        body.append(Text(visible(entry.raw), style=styles.raw))
    elif entry.author is Author.SYSTEM and entry.message is not None:
        label = entry.message.kind.value.replace("_", " ")
        suffix = f": {entry.text}" if entry.text else ""
        body.append(Text(visible(f"— {label}{suffix} —"), style=styles.author))
    else:
        if not entry.attachments or entry.text != entry.attachment_summary:
            body.append(Text(visible(entry.text), style=styles.meta + Style(strike=True)
                             if entry.actions is not None and entry.actions.deleted else ""))
        body.extend(attachment_texts(entry, styles))
        body.extend(_action_texts(entry, styles))
    return body


def attachment_texts(entry: Entry, styles: EntryStyles) -> list[Text]:
    """``📎 invoice.pdf · application/pdf · 48 KB`` for each file: the sender's words
    as data, on one line each."""
    return [Text(f"📎 {attachment_line(attachment)}", style=styles.author)
            for attachment in entry.attachments]


def attachment_line(attachment: Attachment) -> str:
    """Name, type and size; a newline or an escape in a name is shown, not obeyed."""
    return " · ".join([identifier(attachment.name, 120),
                       identifier(attachment.mime or "unknown type", 60),
                       human_size(attachment.size)])


def _action_texts(entry: Entry, styles: EntryStyles) -> list[Text]:
    """Under a message: edited or deleted, its reactions and its thread (Chat SDK)."""
    actions = entry.actions
    if actions is None:
        return []
    thread = entry.thread
    count = thread.count_label if thread is not None else ""
    marks = ["deleted" if actions.deleted else "", "edited" if actions.edited else "",
             f"thread: {count} ({THREAD_KEY})" if count else
             "has a thread" if actions.thread else ""]
    line = Text(end="", style=styles.meta)
    if any(marks):
        line.append("· " + ", ".join(mark for mark in marks if mark))
    reactions = actions.reaction_line()
    if reactions:
        line.append(("  " if line else "") + visible(reactions), Style(italic=False))
    replies = thread.replies if thread is not None else []
    shown = [Text(visible(f"  ↳ {author_label(reply)}: {reply.text}", keep_newlines=False),
                  style=styles.meta) for reply in replies[-THREAD_LINES:]]
    more = len(replies) - THREAD_LINES
    if more > 0:
        shown.insert(0, Text(f"  ↳ … {more} earlier in the thread", style=styles.meta))
    return ([line] if line else []) + shown


def wire_texts(entry: Entry, styles: EntryStyles) -> list[Text]:
    """The envelope and the raw JSON, each cut to a preview; nothing for an entry whose
    raw JSON already is its body."""
    if entry.undecodable and entry.ignored is None:
        return []
    envelope = (f"timetoken={entry.timetoken} publisher={entry.publisher} "
                f"meta={entry.meta}")
    if entry.custom_message_type is not None:
        envelope += f" custom_message_type={entry.custom_message_type}"
    body: list[Text] = []
    for text in (envelope, entry.raw):
        shown, rest = _preview(text)
        body.append(Text(visible(shown), style=styles.raw))
        if rest:
            body.append(Text(f"… {_size(rest)} more: {INSPECT_KEY} shows the whole message",
                             style=styles.meta))
    return body


def lines_of(body: list[Text], width: int, console: Console) -> list[Strip]:
    """The texts wrapped at `width`, as Rich wraps them."""
    options = console.options.update_width(width)
    return [Strip(segments) for text in body
            for segments in console.render_lines(text, options, pad=False)]


def height_of(body: list[Text], width: int) -> int | None:
    """How many lines `lines_of` makes, counted with Rich's own word division without
    rendering (several times faster on a long message); None where tab stops would
    need the real thing."""
    height = 0
    for text in body:
        plain = text.plain
        if "\t" in plain:
            return None
        height += sum(len(divide_line(line, width)) + 1 for line in plain.split("\n"))
    return height


def _preview(text: str) -> tuple[str, str]:
    return (text, "") if len(text) <= RAW_PREVIEW_CHARS else \
        (text[:RAW_PREVIEW_CHARS], text[RAW_PREVIEW_CHARS:])


def _size(text: str) -> str:
    size = len(text.encode("utf-8", "surrogatepass"))
    return f"{size:,} bytes" if size < 10 * 1024 else f"{size / 1024:,.0f} KB"


def author_label(entry: Entry) -> str:
    if entry.author is Author.CUSTOMER or entry.ignored is not None:
        return visible(entry.publisher or "customer", keep_newlines=False)
    if entry.author is Author.ME:
        return "me"
    if entry.author is Author.AGENT:
        return visible(entry.agent_name or "another agent", keep_newlines=False)
    return "system"


def _delivery_label(entry: Entry) -> str:
    if entry.delivery is Delivery.PENDING:
        return "sending…" if not entry.delivery_error else \
            f"retrying: {visible(entry.delivery_error, keep_newlines=False)}"
    if entry.delivery is Delivery.FAILED:
        return f"failed: {visible(entry.delivery_error or '', keep_newlines=False)} (F5 retries)"
    if entry.delivery is Delivery.SENT and entry.author is Author.ME:
        return "✓"
    return ""
