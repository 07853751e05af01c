"""The agents this console has seen: whom a conversation can be handed over to.

PubNub keeps no list of a team's agents, and all consoles publish as one support user.
What each console says about itself is evidence enough: the agent named in a reply's
meta, the assignee in App Context, and the "viewing" signals of consoles running now.
"""

from __future__ import annotations

from collections.abc import Iterable

from .conversation import Conversation


def seen_agents(conversations: Iterable[Conversation], *, me: str) -> list[str]:
    """Everyone but `me`, those with a console open now first, then by name."""
    online: set[str] = set()
    seen: set[str] = set()
    for conversation in conversations:
        online.update(conversation.viewers)
        if conversation.assignee:
            seen.add(conversation.assignee)
        if conversation.changed_by:
            seen.add(conversation.changed_by)
        seen.update(entry.agent_name for entry in conversation.entries if entry.agent_name)
    online.discard(me)
    seen -= online | {me}
    return sorted(online, key=str.casefold) + sorted(seen, key=str.casefold)
