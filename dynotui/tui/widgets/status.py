"""The always-visible progress line: dataset and session counts, acceptance, time, saving."""

from __future__ import annotations

import time

from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from dynotui.tui import render


def clock(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


class StatusLine(Widget):
    """One fixed line: updating it repaints the line without a layout pass."""

    DEFAULT_CSS = """
    StatusLine { height: 1; width: 1fr; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, auto: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.auto = auto  # keep itself up to date (screens without a dataset of their own)
        self._text = Text("loading…", style="dim", end="")
        self._strip: Strip | None = None  # the line drawn, until the text or width changes

    def render_line(self, y: int) -> Strip:
        width, style = self.content_region.width, self.rich_style
        if y or width <= 0:
            return Strip.blank(width, style)
        if self._strip is None or self._strip.cell_length != width:
            console = self.app.console
            line = console.render_lines(self._text, console.options.update_width(width),
                                        pad=True)[0]
            self._strip = Strip(line, width)
        return self._strip.apply_style(style)

    @property
    def plain(self) -> str:
        return self._text.plain

    def update(self, text: Text) -> None:
        if text.plain != self._text.plain or text.spans != self._text.spans:
            self._text, self._strip = text, None
            self.refresh()

    def show(self, queue, dataset: str | None, pending: int, elapsed: float = 0.0) -> None:
        out = Text(end="", no_wrap=True, overflow="ellipsis")
        if queue is None:
            out.append("loading…", style="dim")
            self.update(out)
            return
        if pending:
            out.append(f"saving {pending}…", style="bold yellow")
        else:
            out.append("saved ✓", style="green")
        out.append(" │ ", style="dim")
        if dataset is not None:
            tally = queue.datasets.get(dataset)
            out.append_text(render.line(dataset, style="bold", limit=32))
            if tally:
                out.append(f" {tally.done}/{tally.total} ({tally.left} left)")
            out.append(" │ ", style="dim")
        out.append(f"all {queue.all.done}/{queue.all.total} ({queue.all.left} left)")
        rate = queue.all.acceptance
        if rate is not None:
            out.append(f" {rate:.0%} acc.")
        s = queue.session
        decided = s["accept"] + s["reject"] + s["skip"] + s["edit"]
        out.append(" │ ", style="dim")
        out.append(f"session {decided} ({s['accept'] + s['edit']}✓ {s['reject']}✗) "
                   f"{clock(elapsed)}")
        self.update(out)

    def sync(self, dataset: str | None = None) -> None:
        """Show the app's current progress (queue, pending writes, session clock)."""
        app = self.app
        self.show(app.queue, dataset, sum(app.pending.values()), time.monotonic() - app.started)

    def on_mount(self) -> None:
        if self.auto:
            self.sync()
            self.set_interval(1.0, self.sync)
