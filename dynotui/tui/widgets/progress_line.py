"""Browse's one-line progress: a bar and a label, for a generation run or a crawl. Browse owns
it and decides what it shows; the jobs only report their state (messages up, state down)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

BAR = 30


def bar(done: int, total: int, width: int = BAR) -> Text:
    """A one-line progress bar as text (no widget, no animation)."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("━" * filled, "bold green"), ("━" * (width - filled), "dim"))


class ProgressLine(Horizontal):
    DEFAULT_CSS = """
    ProgressLine { height: 1; }
    ProgressLine #gen-bar { width: 31; }
    ProgressLine #gen-label { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="gen-bar")
        yield Static(id="gen-label")

    def show(self, done: int, total: int, label: Text) -> None:
        self.display = True
        self.query_one("#gen-bar", Static).update(bar(done, total))
        self.query_one("#gen-label", Static).update(label)

    def hide(self) -> None:
        self.display = False
