"""Customer text is data: make every control character visible before it is drawn.

Rich and Textual markup are avoided by building `Text`/`Content` from plain strings;
what remains dangerous is what the terminal itself would interpret (ESC, C1 controls),
what silently reorders a line (bidi overrides), and lone surrogates (JSON can carry
them; they have no UTF-8 form to write). Each becomes a visible stand-in.
"""

from __future__ import annotations

import re

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = "\u2028\u2029\U000e0000-\U000e007f"
"""Line and paragraph separators (a line break no widget expects) and tag characters
(invisible, and able to carry hidden text)."""
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_INVISIBLE}\ud800-\udfff]"
                     "|\u200d{2,}|[\ufe0e\ufe0f]{2,}")
_PRESENTATION = re.compile("[\ufe0e\ufe0f]")
"""Variation selectors: Rich and terminals disagree on what they do to a character's
width (`#` + U+FE0F is one cell to Rich, two to many terminals), which moves borders and
leaves stale text. Without them a character is drawn in its default presentation."""


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    if len(char) > 1:  # a flood of joiners or selectors: one stand-in and a count
        return f"<U+{ord(char[0]):04X}×{len(char)}>"
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL, ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with control, escape and bidi-override characters shown, not obeyed."""
    text = text.replace("\r\n", "\n")
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _PRESENTATION.sub("", _UNSAFE.sub(_stand_in, text))


def one_line(text: str, limit: int = 200) -> str:
    """A preview: one line, visible, cut at `limit` characters."""
    # stand-ins only lengthen, and CR LF becomes one character: twice the limit is enough
    # of a 31 KB message for a toast or a list row
    flat = visible(text[: 2 * limit + 2], keep_newlines=False)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def identifier(text: str, limit: int = 80) -> str:
    """A name (a channel, a uuid) exactly as it is: newlines and tabs shown too, so two
    names that differ only there never look the same."""
    shown = _UNSAFE.sub(_stand_in, text).replace("\n", "\u240a").replace("\t", "\u2409")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
