"""The queue beside the proposal: one line per proposal around the current one.

Drawn with the Line API from strips cached per (proposal, status, current, tag), so moving to
the next proposal re-renders two lines' worth of text, not the whole column. A proposal that
someone else decided (another annotator, or I in another window) ends in a magenta tag naming
them: `⇄bob`, `⇄bob+1`, `⇄you`.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from dynotui.tui import render
from dynotui.tui.widgets.proposal import queue_line

TAG_WIDTH = 9  # cells at most for "⇄name+N"
TAG_STYLE = "bold magenta"


def _key(row: tuple) -> tuple:
    i, p, status, current, tag = row
    return i, p.id, status, current, tag


def strip_line(i: int, p, status: str, current: bool, tag: str, width: int) -> Text:
    """The proposal's line, and who else decided it at the right edge."""
    if not tag or width < 16:
        return queue_line(i, p, status, current, width)
    mark = Text("⇄" + render.one_line(tag, 40), style=TAG_STYLE, end="")
    mark.truncate(TAG_WIDTH, overflow="ellipsis")
    text = queue_line(i, p, status, current, width - mark.cell_len - 1)
    text.pad_right(width - mark.cell_len - text.cell_len)
    return text.append_text(mark)


class QueueStrip(Widget):
    DEFAULT_CSS = """
    QueueStrip { width: 32; height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[tuple] = []  # (index, proposal, status, current, tag)
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
            items, status, tag, pos = queue.items, queue.status, queue.tag, queue.pos
            rows = [(i, items[i], status[items[i].id], i == pos, tag(items[i].id))
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
        i, p, status, current, tag = self._rows[y]
        key = (p.id, status, current, tag, width)
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            text = strip_line(i, p, status, current, tag, width)
            segments = list(text.render(self.app.console))
            strip = Strip(Segment.adjust_line_length(segments, width), width)
            self._cache[key] = strip
        return strip.apply_style(style)

    def on_resize(self) -> None:
        self.refresh()
