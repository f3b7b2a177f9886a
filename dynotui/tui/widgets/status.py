"""The always-visible progress line: dataset and session counts, acceptance, time, saving."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dynotui.tui import render


def clock(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def show(self, queue, current, pending: int) -> None:
        out = Text(end="", no_wrap=True, overflow="ellipsis")
        if queue is None:
            out.append("loading…", style="dim")
            self.update(out)
            return
        if current is not None:
            tally = queue.datasets.get(current.dataset)
            out.append_text(render.line(current.dataset, style="bold", limit=40))
            if tally:
                out.append(f" {tally.done}/{tally.total} done, {tally.left} left")
            out.append(" │ ", style="dim")
        out.append(f"all {queue.all.done}/{queue.all.total}, {queue.all.left} left")
        rate = queue.all.acceptance
        if rate is not None:
            out.append(f" · {rate:.0%} accepted")
        s = queue.session
        decided = s["accept"] + s["reject"] + s["skip"] + s["edit"]
        out.append(" │ ", style="dim")
        out.append(f"session {decided} decided ({s['accept'] + s['edit']}✓ {s['reject']}✗)"
                   f" {clock(queue.elapsed())}")
        out.append(" │ ", style="dim")
        if pending:
            out.append(f"saving {pending}…", style="bold yellow")
        else:
            out.append("saved ✓", style="green")
        self.update(out)
