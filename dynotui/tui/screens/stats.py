"""Stats: the workspace summary from core.stats, refreshed in a worker each time it is shown."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from dynotui.tui import render


def summary(store: Any, annotator: str) -> dict[str, Any]:
    """core.stats.stats when it exists; else counts straight from the store."""
    try:
        from dynotui.core.stats import stats
    except ImportError:
        stats = None
    if stats is not None:
        return stats(store)
    statuses = store.statuses(annotator)
    by_dataset: dict[str, Counter] = {}
    for p in store.proposals():
        by_dataset.setdefault(p.dataset, Counter())[statuses.get(p.id, "undecided")] += 1
    reasons = Counter(e.reason for e in store.events() if e.action == "reject" and e.reason)
    return {"proposals": len(statuses), "status": dict(Counter(statuses.values())),
            "datasets": {k: dict(v) for k, v in sorted(by_dataset.items())},
            "reject_reasons": dict(reasons.most_common())}


def tree_text(data: Any, indent: int = 0) -> Text:
    """Nested dicts/lists as an indented outline (all keys and values are inert text)."""
    out = Text(end="")
    pad = "  " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            out.append(pad)
            out.append_text(render.line(key, style="bold" if indent == 0 else "cyan", limit=80))
            if isinstance(value, (dict, list)) and value:
                out.append("\n")
                out.append_text(tree_text(value, indent + 1))
            else:
                out.append("  ")
                out.append_text(render.line(_fmt(value), limit=200))
                out.append("\n")
    elif isinstance(data, list):
        for value in data[:200]:
            if isinstance(value, (dict, list)):
                out.append_text(tree_text(value, indent))
            else:
                out.append(pad + "• ")
                out.append_text(render.line(_fmt(value), limit=200))
                out.append("\n")
    return out


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value


class StatsScreen(Screen):
    BINDINGS = [Binding("r", "refresh_stats", "refresh", id="stats.refresh")]

    class Computed(Message):
        def __init__(self, data: Any, error: str = "") -> None:
            super().__init__()
            self.data, self.error = data, error

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-pane"):
            yield Static(Text("computing…", style="dim"), id="stats")
        yield Footer(compact=True)

    def on_screen_resume(self) -> None:
        self.action_refresh_stats()

    def action_refresh_stats(self) -> None:
        self._compute()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _compute(self) -> None:
        try:
            data = summary(self.app.store, self.app.settings.annotator)
        except Exception as exc:
            self.post_message(self.Computed(None, render.message(exc)))
            return
        self.post_message(self.Computed(data))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        box = self.query_one("#stats", Static)
        if message.error:
            box.update(Text(f"Could not compute stats: {message.error}", style="red"))
        else:
            box.update(tree_text(message.data))
