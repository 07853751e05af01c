"""Images in the terminal with textual-image, where the terminal has a graphics protocol.

textual-image asks the terminal (Sixel, or Kitty's graphics protocol) when it is
imported, and can only ask before Textual starts reading the keyboard: the console's
command calls `detect_image_protocol` first and passes the answer in its settings.
Everywhere else (no protocol, tests, SUPPGRAM_TUI_IMAGES=off) images are shown as text.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping

from textual.widget import Widget

PROTOCOLS = ("sixel", "kitty")
OFF = frozenset({"0", "off", "no", "false"})


def protocol_of(renderable: type) -> str | None:
    """The protocol a textual-image renderable class draws with; None for the text-only
    ones (half cells, unicode), which the console does not use."""
    from textual_image.renderable import SixelImage, TGPImage

    return {SixelImage: "sixel", TGPImage: "kitty"}.get(renderable)


def detect_image_protocol(env: Mapping[str, str] | None = None) -> str | None:
    """What textual-image found this terminal to speak; call it before the app runs."""
    env = os.environ if env is None else env
    if env.get("SUPPGRAM_TUI_IMAGES", "").strip().lower() in OFF:
        return None
    if not (sys.__stdout__ and sys.__stdout__.isatty() and sys.__stdin__
            and sys.__stdin__.isatty()):
        return None
    try:
        from textual_image import renderable
        from textual_image import widget as _widget  # noqa: F401 - caches the cell size
    except Exception:  # noqa: BLE001 - a terminal that answers oddly gets text
        return None
    return protocol_of(renderable.Image)


def image_widget(data: bytes, protocol: str | None) -> Widget | None:
    """textual-image's widget for `protocol` showing `data`; None when there is no
    protocol or the bytes are no image Pillow reads (the caller shows text)."""
    if protocol not in PROTOCOLS:
        return None
    from PIL import Image as PILImage
    from textual_image.widget import SixelImage, TGPImage

    try:
        picture = PILImage.open(io.BytesIO(data))
        picture.load()
    except Exception:  # noqa: BLE001 - not an image, truncated, a decompression bomb
        return None
    widget_class = SixelImage if protocol == "sixel" else TGPImage
    return widget_class(picture, id="attachment-image")
