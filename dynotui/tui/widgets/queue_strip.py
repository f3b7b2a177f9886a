"""The queue beside the proposal: one line per proposal around the current one.

Drawn with the Line API from strips cached per (proposal, status, current), so moving to the
next proposal re-renders two lines' worth of text, not the whole column.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from dynotui.tui.widgets.proposal import queue_line


def _key(row: tuple) -> tuple:
    i, p, status, current = row
    return i, p.id, status, current


class QueueStrip(Widget):
    DEFAULT_CSS = """
    QueueStrip { width: 32; height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[tuple] = []  # (index, proposal, status, current)
        self._cache: dict[tuple, Strip] = {}
        self._start = 0

    def show(self, queue) -> None:
        """Show the window around queue.pos; repaint only the lines that changed."""
        if queue is None or not queue.items:
            rows: list[tuple] = []
        else:
            height, n = max(1, self.size.height or 40), len(queue.items)
            start = self._start
            if not start <= queue.pos - 2 or queue.pos > start + height - 3:
                start = max(0, min(queue.pos - height // 3, n - height))  # jump, then stay
            self._start = start
            rows = [(i, queue.items[i], queue.status[queue.items[i].id], i == queue.pos)
                    for i in range(start, min(n, start + height))]
        old, self._rows = self._rows, rows
        changed = [y for y in range(max(len(old), len(rows)))
                   if y >= len(old) or y >= len(rows) or _key(old[y]) != _key(rows[y])]
        if len(changed) > 4:
            self.refresh()
        else:
            for y in changed:
                self.refresh(Region(0, y, self.size.width, 1))

    def render_lines(self, crop):
        # Looked up once per frame, not once per line: each look-up walks the styles.
        self._frame = (self.content_region.width or self.size.width, self.rich_style)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, style = self._frame
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
