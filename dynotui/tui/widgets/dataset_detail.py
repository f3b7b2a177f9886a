"""The dataset panel: card summary, license, features (ClassLabel names), splits, verdicts, rows."""

from __future__ import annotations

from rich.text import Text

from dynotui.core.models import DatasetEntry, DatasetMeta
from dynotui.tui import render


def _heading(out: Text, title: str) -> None:
    out.append("\n" if out.plain.endswith("\n") else "\n\n")
    out.append(f"{title}\n", style="bold underline")


def entry_text(entry: DatasetEntry, loading: bool = True) -> Text:
    """What the listing knows before the metadata arrives (or when it cannot)."""
    out = Text(end="")
    out.append_text(render.line(entry.pretty_name or entry.name, style="bold", limit=120))
    out.append("\n")
    out.append_text(render.line(str(entry.ref), style="dim", limit=160))
    out.append("\nlicense ", style="dim")
    out.append_text(render.line(", ".join(entry.license) or "none", limit=80))
    if entry.fields:
        out.append("\nfields ", style="dim")
        out.append_text(render.line(", ".join(entry.fields), limit=300))
    if loading:
        out.append("\n\nloading metadata…", style="dim italic")
    return out


def meta_text(meta: DatasetMeta, proposals: str = "", rows: int = 3) -> Text:
    out = Text(end="")
    out.append_text(render.line(meta.pretty_name or meta.name, style="bold", limit=120))
    out.append("\n")
    out.append_text(render.line(str(meta.ref), style="dim", limit=160))
    if meta.configs and len(meta.configs) > 1:
        out.append("\nconfigs ", style="dim")
        out.append_text(render.line(", ".join(meta.configs), limit=200))
    out.append("\nlicense ", style="dim")
    out.append_text(render.line(", ".join(meta.license) or "none", limit=80))
    if meta.languages:
        out.append("  languages ", style="dim")
        out.append_text(render.line(", ".join(meta.languages), limit=60))
    if meta.task_categories:
        out.append("\ntasks ", style="dim")
        out.append_text(render.line(", ".join(meta.task_categories), limit=120))
    if meta.splits:
        out.append("\nsplits ", style="dim")
        out.append_text(render.line(", ".join(
            f"{k} ({v:,})" if isinstance(v, int) else str(k) for k, v in meta.splits.items()),
            limit=200))
    if proposals:
        out.append("\nproposals ", style="dim")
        out.append(proposals)
    failed = [v for v in meta.verdicts if not v.ok]
    if meta.verdicts:
        _heading(out, "Verdicts")
        if not failed:
            out.append("✓ passes every catalog rule", style="green")
        for v in failed:
            style = "red" if v.level == "error" else "yellow"
            out.append("✗ " if v.level == "error" else "⚠ ", style=style)
            out.append_text(render.text(f"{v.rule}: {v.reason}", style=style, limit=200))
            out.append("\n")
    if meta.summary:
        _heading(out, "Summary")
        out.append_text(render.text(meta.summary, limit=1200))
    _heading(out, "Features")
    for f in meta.features:
        out.append_text(render.line(f.name, style="bold cyan", limit=60))
        out.append(" ")
        out.append_text(render.line(f.type, style="dim", limit=60))
        if f.label_names:
            out.append(" [", style="dim")
            out.append_text(render.line(", ".join(f.label_names), limit=200))
            out.append("]", style="dim")
        out.append("\n")
    sample = meta.sample_rows(rows)
    if sample:
        _heading(out, f"First {len(sample)} rows")
        for i, row in enumerate(sample):
            out.append(f"#{i + 1}\n", style="reverse")
            for name, value in row.items():
                out.append("  ")
                out.append_text(render.line(name, style="cyan", limit=40))
                out.append(": ")
                out.append_text(render.line(value, limit=160))
                out.append("\n")
    return out
