"""Alt+digit and Alt+Enter as terminals send them (ESC, then the key), read as such.

xterm (metaSendsEscape), tmux, iTerm ("Esc+") and macOS Terminal ("Use Option as Meta
key") send Alt+1 as ESC 1 and Alt+Enter as ESC CR. Textual reads ESC 1…0 as the
characters the Option key types on macOS WezTerm ("¡™£¢…"), so Alt+1 typed "¡" into
the composer; and it reads ESC CR as nothing until the next key arrives, then as "^"
and Enter, which sent the reply. Taught these few sequences, its parser reports the
keys that were pressed. Where Option types characters (macOS Terminal's default) the
terminal sends "¡" itself, which stays a character the agent can type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from textual import _ansi_sequences

ALT_KEYS: dict[str, str] = {
    **{f"\x1b{digit}": f"alt+{digit}" for digit in "1234567890"},
    "\x1b\r": "alt+enter",
}
"""Terminal input → the key Textual reports for it."""


@dataclass(frozen=True)
class _KeyName:
    """What Textual's sequence table holds for a key: something with its name as `value`."""

    value: str


def read_alt_keys() -> None:
    """Make Textual's input parser report `ALT_KEYS` (once per process is enough)."""
    table = cast(dict[str, Any], _ansi_sequences.ANSI_SEQUENCES_KEYS)
    for sequence, key in ALT_KEYS.items():
        table[sequence] = (_KeyName(key),)
