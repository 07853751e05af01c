"""Keys typed behind a Tab go where the Tab moved the focus, in order.

Textual queues every key of one terminal read to the widget focused when the read was
parsed. "abc", Tab, "xyz" in one read (fast typing, a slow SSH link) reached the reply
box whole, and only the key after them found the search box. So the widget that moves
the focus in its own key handler hands the keys still queued behind that key to the
widget focused now, once, and keeps every other message for itself.

This cannot loop: only keys already queued behind the focus-moving key move, each
moves forward in time and is used by the widget it reaches (a Tab among them moves the
focus again and passes on only the keys behind *it*). Nothing is remembered between
two keys, so no two widgets can keep forwarding to each other.
"""

from __future__ import annotations

from asyncio import Queue, QueueEmpty

from textual import events
from textual.message import Message
from textual.widget import Widget

FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}
"""The keys that move the focus, and the screen method that does it."""


def move_focus_in_order(widget: Widget, event: events.Key) -> bool:
    """Tab or Shift+Tab on `widget`: move the focus now, and the keys behind it with it.

    True (the key used up) if `event` was one of them."""
    method = FOCUS_KEYS.get(event.key)
    if method is None:
        return False
    event.stop()
    event.prevent_default()
    getattr(widget.screen, method)()
    pass_on_queued_keys(widget)
    return True


def pass_on_queued_keys(widget: Widget) -> int:
    """If the focus has left `widget`, queue the keys and pastes waiting for it to the
    widget focused now, in order; return how many moved (0 if the focus stayed)."""
    focused = widget.screen.focused if widget.is_attached else None
    if focused is None or focused is widget:
        return 0
    kept: list[Message] = []
    moved: list[events.Key | events.Paste] = []
    for message in _take_queue(widget):
        if isinstance(message, events.Key):
            moved.append(events.Key(message.key, message.character))
        elif isinstance(message, events.Paste):
            moved.append(events.Paste(message.text))
        else:
            kept.append(message)
    for message in kept:
        widget._message_queue.put_nowait(message)
    for key in moved:
        focused._forward_event(key)
    return len(moved)


def _take_queue(widget: Widget) -> list[Message]:
    """Everything waiting for `widget`, in order: the message Textual took out early to
    see whether it replaces the current one, then the queue (a None, the pump's close
    signal, is put back at once: the widget is being removed, it keeps its keys)."""
    taken: list[Message] = []
    pending = widget._pending_message
    if pending is not None:
        widget._pending_message = None
        taken.append(pending)
    queue: Queue[Message | None] = widget._message_queue
    while True:
        try:
            message = queue.get_nowait()
        except QueueEmpty:
            break
        queue.task_done()
        if message is None:
            for kept in taken:
                queue.put_nowait(kept)
            queue.put_nowait(None)
            return []
        taken.append(message)
    return taken
