"""The queue beside the proposal: one line per proposal around the current one.

Drawn with the Line API from strips cached per (proposal, status, current), so moving to the
next proposal re-renders two lines' worth of text, not the whole column.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from dynotui.tui.widgets.proposal import queue_line


class QueueStrip(Widget):
    DEFAULT_CSS = """
    QueueStrip { width: 32; height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[tuple] = []  # (index, proposal, status, current)
        self._cache: dict[tuple, Strip] = {}

    def show(self, queue) -> None:
        rows = [(i, p, status, i == queue.pos) for i, p, status in queue.window(
            max(1, self.size.height or 40))] if queue is not None else []
        if rows != self._rows:
            self._rows = rows
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width or self.size.width
        style = self.rich_style
        if y >= len(self._rows) or width <= 0:
            return Strip.blank(width, style)
        i, p, status, current = self._rows[y]
        key = (p.id, status, current, width)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            text = queue_line(i, p, status, current, width)
            segments = list(text.render(self.app.console))
            strip = Strip(Segment.adjust_line_length(segments, width), width)
            self._cache[key] = strip
        return strip.apply_style(style)

    def on_resize(self) -> None:
        self.refresh()
