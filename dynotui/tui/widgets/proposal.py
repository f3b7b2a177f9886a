"""Renderables for a proposal and for sample rows seen through its task (all via render)."""

from __future__ import annotations

from rich.text import Text

from dynotui.core.models import DatasetMeta, Proposal, Task, Verdict
from dynotui.core.instances import build, feature_map
from dynotui.tui import render

STATUS_STYLE = {"accepted": "bold green", "rejected": "bold red", "skipped": "yellow",
                "edited": "cyan", "undecided": "dim"}
STATUS_MARK = {"accepted": "✓", "rejected": "✗", "skipped": "»", "edited": "✎", "undecided": "·"}


def verdict_lines(verdicts: list[Verdict]) -> Text:
    out = Text(end="")
    for v in verdicts:
        if v.ok:
            continue
        style = "red" if v.level == "error" else "yellow"
        out.append("\n  ⚠ " if v.level == "warning" else "\n  ✗ ", style=style)
        out.append_text(render.text(f"{v.rule}: {v.reason}", style=style, limit=300))
    return out


def task_text(task: Task, fields: list[str] | None = None) -> Text:
    """Instruction, input fields and output field; unknown fields are marked."""
    known = set(fields or ())
    out = Text(end="")
    out.append("Instruction\n", style="bold")
    out.append_text(render.text(task.instruction or "(empty)", limit=4000))
    out.append("\n\nInput fields  ", style="bold")
    for i, name in enumerate(task.input_fields):
        if i:
            out.append(", ")
        bad = bool(known) and name not in known
        out.append_text(render.line(name, style="red underline" if bad else "bold cyan", limit=80))
    if not task.input_fields:
        out.append("(none)", style="red")
    out.append("\nOutput field  ", style="bold")
    bad = bool(known) and task.output_field not in known
    out.append_text(render.line(task.output_field or "(none)",
                                style="red underline" if bad else "bold magenta", limit=80))
    return out


def proposal_text(p: Proposal, status: str, flagged: bool, saving: bool,
                  meta: DatasetMeta | None = None, similar: list[str] | None = None) -> Text:
    out = Text(end="")
    out.append(f"{STATUS_MARK.get(status, '·')} {status}", style=STATUS_STYLE.get(status, ""))
    if saving:
        out.append("  saving…", style="italic yellow")
    if flagged:
        out.append("  ⚑ flagged", style="bold yellow")
    out.append("\n")
    out.append_text(render.line(p.dataset + (f" / {p.config}" if p.config else ""),
                                style="bold", limit=120))
    out.append("\n\n")
    out.append_text(task_text(p.task, meta.field_names if meta else None))
    out.append("\n\n")
    source = p.model or p.source
    out.append("model ", style="dim")
    out.append_text(render.line(source or "?", limit=60))
    out.append("  variant ", style="dim")
    out.append_text(render.line(p.variant or "?", limit=20))
    if p.version > 1:
        out.append(f"  v{p.version}", style="dim")
    if p.tokens_in or p.tokens_out:
        out.append(f"\ntokens {p.tokens_in}+{p.tokens_out}  ${p.cost_usd:.4f}", style="dim")
    if p.errors or p.warnings:
        out.append("\n\nValidation", style="bold")
        out.append_text(verdict_lines(p.verdicts))
    if not p.task.instruction and p.raw_answer:
        # No task could be read from the answer: show what the model said (inert, cut).
        out.append("\n\nModel answer\n", style="bold")
        out.append_text(render.text(p.raw_answer, style="dim", limit=1500))
    if similar:
        out.append("\n\nSimilar instructions", style="bold")
        for s in similar[:5]:
            out.append("\n  • ")
            out.append_text(render.line(s, style="dim", limit=160))
    return out


def samples_text(task: Task, meta: DatasetMeta | None, n: int = 3, limit: int = 400) -> Text:
    """`n` sample rows rendered as instruction / input / output through the task."""
    if meta is None:
        return Text("loading sample rows…", style="dim italic", end="")
    out = samples_head(task, limit)
    out.append_text(sample_rows(task, meta, n, limit))
    return out


def samples_head(task: Task, limit: int = 400) -> Text:
    """The instruction every sample row shares."""
    out = Text(end="")
    out.append("instruction ", style="bold")
    out.append("(every row)\n", style="dim")
    out.append_text(render.text(task.instruction or "(empty)", style="italic", limit=limit))
    out.append("\n\n")
    return out


def sample_rows(task: Task, meta: DatasetMeta, n: int = 3, limit: int = 400) -> Text:
    """`n` rows as input / output through the task's fields (the same for every task of the
    dataset that picks the same fields)."""
    out = Text(end="")
    rows = meta.sample_rows()
    features = feature_map(meta.features)
    shown = 0
    for i, row in enumerate(rows):
        if shown >= n:
            break
        built = build(task, row, features, max_input=limit, max_output=limit)
        if shown:
            out.append("\n\n")
        out.append(f"Row {i + 1}", style="bold reverse")
        if built.instance is None:
            out.append(f"  no instance: {built.reason}\n", style="yellow")
            _raw_fields(out, task, row)
            shown += 1
            continue
        out.append("\n")
        out.append("input ", style="bold cyan")
        out.append_text(_field_names(task.input_fields))
        out.append("\n")
        out.append_text(render.text(built.instance["input"], limit=limit))
        if built.cut and len(built.instance["input"]) >= limit:
            out.append("…", style="dim")
        out.append("\noutput ", style="bold magenta")
        out.append_text(render.line(task.output_field, style="magenta", limit=60))
        out.append("\n")
        out.append_text(render.text(built.instance["output"], style="bold", limit=limit))
        if built.cut and len(built.instance["output"]) >= limit:
            out.append("…", style="dim")
        shown += 1
    if not rows:
        out.append("this dataset has no sample rows", style="dim")
    return out


def _field_names(names: list[str]) -> Text:
    out = Text("(", style="dim", end="")
    for i, name in enumerate(names):
        if i:
            out.append(", ", style="dim")
        out.append_text(render.line(name, style="cyan", limit=60))
    out.append(")", style="dim")
    return out


def _raw_fields(out: Text, task: Task, row: dict) -> None:
    for name in [*task.input_fields, task.output_field]:
        out.append("  ")
        out.append_text(render.line(name, style="cyan", limit=60))
        out.append(" = ")
        out.append_text(render.line(row.get(name, "(missing)"), limit=120))
        out.append("\n")


def queue_line(index: int, p: Proposal, status: str, current: bool, width: int = 30) -> Text:
    """One strip line, cut to `width` cells here so the strip never wraps."""
    out = Text("▸" if current else " ", style="bold", end="")
    out.append(f"{STATUS_MARK.get(status, '·')} ", style=STATUS_STYLE.get(status, ""))
    if p.task.instruction:
        out.append(render.one_line(p.task.instruction[:width * 2], 0),
                   style="reverse bold" if current else "")
    else:  # an answer no task could be read from
        out.append("(no task in the answer)", style="reverse dim" if current else "dim")
    out.truncate(width, overflow="ellipsis")
    return out
