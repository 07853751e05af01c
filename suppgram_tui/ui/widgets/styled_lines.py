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
    """A `render_lines` for a widget with no border, outline or padding above or below
    its content (those lines depend on y; checked on each call: with any, Textual's own
    path is taken). Padding and borders left and right are drawn as Textual draws them."""

    def __init__(self, widget: Widget, *, screens: int = 4) -> None:
        """Keeps `screens` times the widget's height in lines (each holds the copies the
        filters and the compositor's cuts made of it, so not more)."""
        self.widget = widget
        self.screens = screens
        self._cache: LRUCache[Hashable, Strip] = LRUCache(screens * 25)

    def clear(self) -> None:
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)

    def render_lines(self, crop: Region, line: LineSource) -> list[Strip] | None:
        """The lines of `crop`, or None when the widget's styles need Textual's path."""
        widget = self.widget
        styles = widget.styles
        gutter = styles.gutter
        if widget.BLANK or gutter.top or gutter.bottom or any(styles.outline.spacing) \
                or widget._border_title is not None or widget._border_subtitle is not None:
            return None
        base_background, background = widget.background_colors
        size, content_size = widget.region.size, widget.content_region.size
        app = widget.app
        ansi_theme, native_ansi = app.ansi_theme, app.native_ansi_color
        filters = widget.get_line_filters()
        render_line = widget._styles_cache.render_line
        self._cache.maxsize = self.screens * max(size.height, 25)
        colours = (base_background, background, size, content_size)
        strips: list[Strip] = []
        for y in crop.line_range:
            key, draw = line(y)
            full_key = (key, colours)
            strip = self._cache.get(full_key)
            if strip is None:
                strip = render_line(styles, y, size, content_size, styles.padding,
                                    base_background, background, _drawn(draw()),
                                    None, None, widget.opacity, ansi_theme, native_ansi)
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
