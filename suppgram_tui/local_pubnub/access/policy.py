"""Access Manager enforcement hook.

Each route names what it needs (`Need`); the server's `AccessPolicy` decides. Without a
secret key every request is allowed, as on a keyset without Access Manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..routing import Call, Route


@dataclass(frozen=True)
class Need:
    """One permission on one resource: e.g. `write` on channel `cust-1-support`."""

    kind: str  # "channels" | "groups" | "uuids" | "categories" (name "channels"/"uuids")
    name: str
    permission: str  # read, write, manage, delete, get, update, join


class AccessPolicy(Protocol):
    async def authorize(self, call: Call, route: Route) -> None:
        """Raise `PubNubError` (403) when the request may not do what the route does.

        Async because checking a signature means reading the request body.
        """


class OpenAccess:
    """No Access Manager: everything is allowed."""

    async def authorize(self, call: Call, route: Route) -> None:
        return None
