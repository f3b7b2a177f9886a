"""Teams in the workbench: the guidelines modal, the conflicts queue's side-by-side votes, the
adjudicator's role, and the agreement section of Stats (figures from dynotui.core.team)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dynotui.core.errors import DynoError
from dynotui.core.team import guidelines
from dynotui.core.team.outcomes import ADJUDICATOR
from dynotui.tui import render

CONFLICTS = "conflicts"
DECISION_STYLE = {"accept": "green", "reject": "red"}


# -- guidelines -------------------------------------------------------------------------------
def guidelines_text(markdown: str) -> Text:
    """The guidelines as inert text: headings bold, everything else as written (no markup,
    no links, control characters made visible)."""
    out = Text(end="")
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append_text(render.text(stripped.lstrip("#").strip(), style="bold underline"))
        else:
            out.append_text(render.text(line))
        out.append("\n")
    return out


class GuidelinesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,g,q", "close", "close", id="guidelines.close")]
    DEFAULT_CSS = """
    GuidelinesScreen { align: center middle; }
    GuidelinesScreen > VerticalScroll { width: 100; max-width: 100%; height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """

    def __init__(self, path: str | None, text: str) -> None:
        super().__init__()
        self.path, self.text = path, text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guidelines-pane"):
            head = f"Guidelines — {self.path}" if self.path else "Guidelines"
            yield Static(render.join((head, "bold"), ("  (Esc closes; arrows and PgUp/PgDn "
                                                       "scroll)", "dim")))
            yield Static(guidelines_text(self.text), id="guidelines")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


NO_GUIDELINES = ("No guidelines yet. Write them in WORKSPACE/guidelines.md (or pass "
                 "--guidelines FILE); a \"## Reject reasons\" list there sets the reasons of "
                 "keys 1-9.")


def show_guidelines(app: Any) -> None:
    """Open the guidelines modal (read fresh each time: the lead may have edited them)."""
    try:
        path = guidelines.find(app.settings.workspace, app.settings.guidelines)
        text = guidelines.read(path) if path else NO_GUIDELINES
    except DynoError as exc:
        app.notify(render.message(exc.message), severity="error", markup=False)
        return
    if not isinstance(app.screen, GuidelinesScreen):
        app.push_screen(GuidelinesScreen(str(path) if path else None, text))


# -- conflicts --------------------------------------------------------------------------------
def is_adjudicator(app: Any) -> bool:
    return bool(getattr(app, "adjudicate", False)) or \
        app.settings.annotator in (app.settings.adjudicators or [])


def role(app: Any) -> str:
    """The role a decision made now carries: 'adjudicator' in the conflicts queue of an
    adjudicator (--adjudicate or `adjudicators` in the config), else none."""
    if getattr(app, "queue_filter", None) == CONFLICTS and is_adjudicator(app):
        return ADJUDICATOR
    return ""


def votes_text(conflict: Any, current: str) -> Text:
    """Each annotator's decision, reason, note and edit on the shown proposal's family."""
    data = conflict.to_dict()
    out = Text("\n\nTeam decisions", style="bold", end="")
    for vote in data["votes"]:
        out.append("\n  ")
        out.append_text(render.line(vote["annotator"], style="bold", limit=30))
        label = "edit" if vote["edited"] else vote["decision"]
        out.append(f"  {label}", style=DECISION_STYLE.get(vote["decision"], ""))
        if vote["decision"] == "reject" and vote["reason"]:
            out.append_text(render.line(f"  {vote['reason']}", limit=80))
        if vote["version"] == current and vote["decision"] == "accept":
            out.append("  (this version)", style="dim")
        if vote["note"]:
            out.append("\n    note: ", style="dim")
            out.append_text(render.line(vote["note"], limit=300))
        if vote["edited"] and vote.get("edit"):
            out.append("\n    edit: ", style="dim")
            out.append_text(render.line(vote["edit"]["instruction"], style="cyan", limit=300))
    if data["settled"]:
        settled = data["settled"]
        out.append("\n  settled by ", style="bold")
        out.append_text(render.line(f"{settled['annotator']}: {settled['decision']}", limit=80))
    out.append("\n  n/p move between versions; a/x/e here settle it"
               if len(data["versions"]) > 1 else "", style="dim")
    return out


# -- agreement (Stats) -------------------------------------------------------------------------
def _figure(value: Any, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def agreement_renderables(data: dict[str, Any] | None) -> list[Any]:
    """The Stats screen's agreement section (nothing until two annotators share proposals)."""
    if not data or data.get("shared_items", 0) == 0:
        return []
    parts: list[Any] = [Text(""), render.join(  # Text(""): ends the line above
        ("Agreement", "bold"), (f"  {data['shared_items']} proposals decided by two or more; "
                                f"Krippendorff's alpha {_figure(data['alpha'])}; conflicts "
                                f"{data['conflicts']['open']} open, "
                                f"{data['conflicts']['settled']} settled", ""))]
    parts[1].end = "\n"
    table = Table(box=None, pad_edge=False, header_style="dim")
    table.add_column("pair", min_width=12, max_width=40)
    for name in ("both", "agree", "kappa"):
        table.add_column(name, justify="right", no_wrap=True)
    for pair in data["pairs"]:
        if pair["both"]:
            table.add_row(render.line(f"{pair['a']} / {pair['b']}", limit=60), str(pair["both"]),
                          _figure(pair["percent"], True), _figure(pair["kappa"]))
    parts.append(table)
    disputed = [r for r in data.get("reasons", []) if r["disputed"]][:5]
    if disputed:
        parts.append(render.join(("Most disputed reject reasons: ", "bold"), (", ".join(
            f"{render.one_line(r['reason'], 40)} {r['disputed']}" for r in disputed), "")))
        parts[-1].end = "\n"
    parts.append(Text(""))
    return parts
