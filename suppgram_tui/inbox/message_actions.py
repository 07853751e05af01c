"""Message actions applied to the message they are about, in the Chat SDK's words.

A Chat SDK app edits a message by adding an ``edited`` action whose value is the new
text, soft-deletes it with a ``deleted`` action, reacts with ``reactions`` (the value is
the emoji) and marks a thread with ``threadRootId`` (the value is the thread's channel).
The message itself never changes in history: what it says now is its actions applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EDITED = "edited"
DELETED = "deleted"
REACTIONS = "reactions"
THREAD = "threadRootId"


@dataclass
class MessageActions:
    """What the actions on one message say, and by whom."""

    edits: dict[int, str] = field(default_factory=dict)
    """Action timetoken → text: the newest edit is what the message says now."""
    deletes: set[int] = field(default_factory=set)
    reactions: dict[str, set[str]] = field(default_factory=dict)
    """Emoji → user ids who reacted with it."""
    threads: set[str] = field(default_factory=set)
    """Channels of the message's thread (the Chat SDK makes one; its replies are
    `Entry.thread`)."""

    @property
    def edited(self) -> str | None:
        """The text of the newest edit, or None if never edited."""
        return self.edits[max(self.edits)] if self.edits else None

    @property
    def deleted(self) -> bool:
        return bool(self.deletes)

    @property
    def thread(self) -> str | None:
        return min(self.threads) if self.threads else None

    def reaction_line(self) -> str:
        """`👍 2  ❤️ 1`, in the order the reactions came."""
        return "  ".join(f"{emoji} {len(users)}" if len(users) > 1 else emoji
                         for emoji, users in self.reactions.items() if users)

    def apply(self, kind: str, value: str, user: str | None, action_timetoken: int, *,
              removed: bool = False, author: str | None = None) -> bool:
        """One action added (or removed); False if it is no action this console shows.
        Only the message's `author` (where known) edits or deletes it: anyone with the
        keys can add an action to anyone's message."""
        who = user or "?"
        if kind in (EDITED, DELETED) and author is not None and user != author:
            return False
        if kind == EDITED:
            if removed:
                self.edits.pop(action_timetoken, None)
            else:
                self.edits[action_timetoken] = value
        elif kind == DELETED:
            if removed:
                self.deletes.discard(action_timetoken)
            else:
                self.deletes.add(action_timetoken)
        elif kind == REACTIONS:
            users = self.reactions.setdefault(value, set())
            if removed:
                users.discard(who)
                if not users:
                    del self.reactions[value]
            else:
                users.add(who)
        elif kind == THREAD:
            if removed:
                self.threads.discard(value)
            else:
                self.threads.add(value)
        else:
            return False
        return True

    @classmethod
    def from_history(cls, actions: Any, author: str | None = None) -> MessageActions | None:
        """History's `actions`: `{type: {value: [{"uuid", "actionTimetoken"}]}}`."""
        if not isinstance(actions, dict) or not actions:
            return None
        made = cls()
        shown = False
        for kind, values in actions.items():
            if not isinstance(values, dict):
                continue
            for value, records in values.items():
                for record in records if isinstance(records, list) else []:
                    if not isinstance(record, dict):
                        continue
                    try:
                        stamp = int(record.get("actionTimetoken") or 0)
                    except (TypeError, ValueError):
                        stamp = 0
                    uuid = record.get("uuid")
                    shown |= made.apply(str(kind), str(value),
                                        uuid if isinstance(uuid, str) else None, stamp,
                                        author=author)
        return made if shown else None
