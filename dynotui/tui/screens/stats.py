"""Stats: the workspace summary from core.stats (the same as `dynotui stats`), in a worker."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from dynotui.core.growth.log import stage_line
from dynotui.core.stats import compute
from dynotui.core.team.agreement import compute as agreement
from dynotui.tui import render, team
from dynotui.tui.widgets.footer import KeyFooter
from dynotui.tui.widgets.status import StatusLine

COLUMNS = ("proposals", "accepted", "rejected", "skipped", "edited", "undecided")
LABELS = {"proposals": "tasks", "accepted": "acc", "rejected": "rej", "skipped": "skip",
          "edited": "edit", "undecided": "left"}


def _rate(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) else "—"


def group_table(title: str, rows: dict[str, dict[str, Any]], limit: int = 50) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=None,
                  pad_edge=False, header_style="dim")
    # The name column gives way when narrow (its cells are one ellipsized line each).
    table.add_column(title.split()[-1].rstrip("s") if " " in title else "name",
                     min_width=12, max_width=40)
    ordered = sorted(rows.items(), key=lambda kv: -kv[1].get("proposals", 0))
    for column in COLUMNS:  # numbers are never cut: at 80 columns the name gives way
        widest = max((len(str(row.get(column, 0))) for _, row in ordered[:limit]), default=1)
        table.add_column(LABELS[column], justify="right", no_wrap=True,
                         min_width=max(len(LABELS[column]), widest))
    table.add_column("acc %", justify="right", no_wrap=True, min_width=5)
    for name, row in ordered[:limit]:
        table.add_row(render.line(name, limit=60), *(str(row.get(c, 0)) for c in COLUMNS),
                      _rate(row.get("acceptance_rate")))
    if len(ordered) > limit:
        table.add_row(Text(f"… {len(ordered) - limit} more", style="dim"))
    return table


def stats_renderable(data: dict[str, Any]) -> Group:
    head = Text(end="")
    status = data.get("by_status", {})
    head.append(f"{data.get('proposals', 0)} proposals", style="bold")
    head.append(f" over {data.get('dataset_count', 0)} datasets · ")
    head.append(", ".join(f"{v} {k}" for k, v in status.items() if v))
    head.append(f"\nacceptance {_rate(data.get('acceptance_rate'))} · "
                f"{data.get('flagged', 0)} flagged · {data.get('with_errors', 0)} with errors · "
                f"{data.get('with_warnings', 0)} with warnings")
    tokens = data.get("tokens", {})
    head.append(f"\n{tokens.get('total', 0):,} tokens · ${data.get('cost_usd', 0.0):.4f} · "
                f"{data.get('generations', 0)} generation calls")
    decisions = data.get("decisions", {})
    head.append(f"\n{decisions.get('events', 0)} decision events, {decisions.get('undone', 0)} "
                f"undone; median {decisions.get('median_seconds') or '—'} s per decision")
    dup = data.get("duplicates", {})
    head.append(f"\n{dup.get('exact', 0)} proposals repeat an instruction "
                f"({dup.get('exact_groups', 0)} groups)\n")
    parts: list[Any] = [head]
    for key, title in (("datasets", "By dataset"), ("by_model", "By model"),
                       ("by_variant", "By variant"), ("by_source", "By source")):
        if data.get(key):
            parts += [group_table(title, data[key]), Text("")]
    annotators = decisions.get("by_annotator") or {}
    if annotators:
        parts.append(render.join(("Decisions by annotator: ", "bold"),
                                 (", ".join(f"{k} {v}" for k, v in annotators.items()), "")))
    parts += team.agreement_renderables(data.get("agreement"))  # two annotators or more
    if data.get("verdicts"):
        parts.append(render.join(("Failed checks: ", "bold"), (", ".join(
            f"{k} {v}" for k, v in data["verdicts"].items()), "")))
    if data.get("crawl_stages"):  # the growth stages `dynotui crawl` recorded
        parts.append(Text("Crawl stages", style="bold"))
        for stage in data["crawl_stages"]:  # Text(end="") would join lines; textual counts "\n"
            parts.append(render.line(stage_line(stage), limit=300))
            parts[-1].end = "\n"
    for problem in data.get("problems", []):
        parts.append(render.text(f"Problem: {problem}", style="yellow"))
        parts[-1].end = "\n"
    return Group(*parts)


class StatsScreen(Screen):
    BINDINGS = [Binding("r", "refresh_stats", "refresh", id="stats.refresh")]

    class Computed(Message):
        def __init__(self, data: Any, error: str = "") -> None:
            super().__init__()
            self.data, self.error = data, error

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-pane"):
            yield Static(Text("computing…", style="dim"), id="stats")
        yield StatusLine(auto=True)
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        self.action_refresh_stats()

    def action_refresh_stats(self) -> None:
        self._compute()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _compute(self) -> None:
        try:
            data = compute(self.app.store)
            data["agreement"] = agreement(self.app.store, self.app.settings.adjudicators)
        except Exception as exc:  # shown on the screen; the app goes on
            self.post_message(self.Computed(None, render.message(exc)))
            return
        self.post_message(self.Computed(data))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        box = self.query_one("#stats", Static)
        if message.error:
            box.update(Text(f"Could not compute stats: {message.error}", style="red"))
        else:
            box.update(stats_renderable(message.data))
