"""How full each watched channel group is, and which hold no channel at all: silence
from an emptied group (a restarted in-memory server) must not pass for a quiet day."""

from __future__ import annotations

from collections.abc import Sequence

from .conversation import Conversations


class GroupFill:
    """Counts conversations per group, and keeps what the group watch last found empty."""

    def __init__(self, conversations: Conversations, groups: Sequence[str]) -> None:
        self._conversations = conversations
        self._groups = tuple(groups)
        self._counted: tuple[int, dict[str, int]] = (-1, {})
        self.empty: tuple[str, ...] = ()
        """Watched groups that hold no channel: no customer message can arrive there."""

    def checked(self, empty: tuple[str, ...]) -> None:
        """The group watch listed the groups; these hold no channel."""
        self.empty = empty

    def heard_from(self, group: str | None) -> bool:
        """A message came through `group`: it has channels after all. Whether that
        changed what is said."""
        if group not in self.empty:
            return False
        self.empty = tuple(g for g in self.empty if g != group)
        return True

    def notes(self) -> list[str]:
        """The status line's words for each empty group."""
        notes = []
        for group in self.empty:
            if any(c.group == group for c in self._conversations.values()):
                notes.append(lost_channels_note(group))
            else:
                notes.append(f"group {group} has no channels")
        return notes

    def counts(self) -> dict[str, int]:
        """Channels per group: counted again only when conversations were added; a group
        the server lists as empty counts 0, whatever the console knows."""
        total = len(self._conversations)
        if self._counted[0] != total:
            counts = dict.fromkeys(self._groups, 0)
            for conversation in self._conversations.values():
                if conversation.group in counts:
                    counts[conversation.group] += 1
            self._counted = (total, counts)
        counts = dict(self._counted[1])
        counts.update({group: 0 for group in self.empty if group in counts})
        return counts


def lost_channels_note(group: str) -> str:
    """What an emptied group means comes first: at 80 columns the status line cuts the
    end, which is where the group and the likely cause go."""
    return f"⚠ no customer message can arrive: group {group} lost its channels " \
        "(server restarted?)"
