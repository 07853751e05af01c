"""Lines as the compositor wants them, kept by what they show rather than where.

Textual styles a line-API widget's lines (background, text opacity, the app's filters)
in its `StylesCache`, which keeps them by their y: when rows move (a conversation that
gets a message jumps to the top of the list) every moved line is styled again, ~0.4 ms
a line at 120 columns, the largest cost of a frame. This keeps each styled line under
the key of what it shows, so a row that moves costs a look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

LineSource = Callable[[int], tuple[Hashable, Callable[[], Strip]]]
"""For a line y of the widget: a key of what it shows, and how to draw it."""


class StyledLines:
    """A `render_lines` for a widget without border or padding (checked on each call:
    with either, Textual's own path is taken)."""

    def __init__(self, widget: Widget, *, size: int = 2048) -> None:
        self.widget = widget
        self._cache: LRUCache[Hashable, Strip] = LRUCache(size)

    def clear(self) -> None:
        self._cache.clear()

    def render_lines(self, crop: Region, line: LineSource) -> list[Strip] | None:
        """The lines of `crop`, or None when the widget's styles need Textual's path."""
        widget = self.widget
        styles = widget.styles
        if widget.BLANK or any(styles.gutter) or any(styles.outline.spacing) \
                or styles.tint.a or widget.opacity != 1.0 or styles.text_opacity != 1.0 \
                or widget._border_title is not None or widget._border_subtitle is not None:
            return None
        base_background, background = widget.background_colors
        size, content_size = widget.region.size, widget.content_region.size
        app = widget.app
        ansi_theme, native_ansi = app.ansi_theme, app.native_ansi_color
        filters = widget.get_line_filters()
        render_line = widget._styles_cache.render_line
        colours = (base_background, background, size, content_size)
        strips: list[Strip] = []
        for y in crop.line_range:
            key, draw = line(y)
            full_key = (key, colours)
            strip = self._cache.get(full_key)
            if strip is None:
                strip = render_line(styles, y, size, content_size, styles.padding,
                                    base_background, background, _drawn(draw()),
                                    None, None, 1.0, ansi_theme, native_ansi)
                self._cache[full_key] = strip
            for line_filter in filters:  # each strip keeps its filtered copy
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, size.width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips


def _drawn(strip: Strip) -> Callable[[int], Strip]:
    """A content line callback for one line already drawn."""
    return lambda _y: strip
