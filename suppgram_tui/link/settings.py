"""Link settings from Suppgram's environment variables and the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


class SettingsError(ValueError):
    """A setting is missing or wrong; the message is one sentence for the user."""


@dataclass(frozen=True)
class LinkSettings:
    """How to reach PubNub (or a PubNub-compatible origin) and as whom."""

    publish_key: str
    subscribe_key: str
    user_id: str = "support"
    """The support user: every message not published by it is a customer message."""
    channel_groups: tuple[str, ...] = ("support",)
    origin: str | None = None
    """HOST:PORT of a PubNub-compatible origin; None means PubNub itself."""
    ssl: bool = True
    secret_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    local: bool = False
    """True when the origin is the embedded local server."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None, **overrides: object
                         ) -> LinkSettings:
        """Read Suppgram's variables; a missing key is one sentence that mentions --local."""
        env = os.environ if env is None else env
        missing = [name for name in ("PUBNUB_PUBLISH_KEY", "PUBNUB_SUBSCRIBE_KEY")
                   if not env.get(name)]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: "
                "export your PubNub keys, or run with --local to use the built-in local server.")
        return cls(
            publish_key=env["PUBNUB_PUBLISH_KEY"],
            subscribe_key=env["PUBNUB_SUBSCRIBE_KEY"],
            secret_key=env.get("PUBNUB_SECRET_KEY") or None,
            token=env.get("PUBNUB_TOKEN") or None,
            **overrides,  # type: ignore[arg-type]
        )

    def __post_init__(self) -> None:
        if not self.channel_groups:
            raise SettingsError("At least one --pubnub-channel-group is needed.")
        if not self.user_id:
            raise SettingsError("--pubnub-user-id must not be empty.")
