"""A focused widget's own key bindings, run as its keys come: in the order typed.

Textual resolves a focused widget's (non-priority) bindings only once the key has
bubbled from it up to the app, one queue at a time, while the widget goes on inserting
the characters typed after it. In a burst (fast typing, a macro, a slow SSH link)
Backspace then deleted after the word typed behind it, and Ctrl+J's new line went to
the end of the text. Run from the widget's own key handler, a binding acts where it
was pressed.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s binding for this key now; True (and the key used up) if it ran.

    Bindings that are not the widget's own (the screen's, the app's) are left to
    Textual: they act on the conversation, not on the text, so their order matters less.
    """
    # the widget's bindings, keymap applied: what Textual's own resolution reads
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False
