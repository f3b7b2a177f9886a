"""`dynotui show DATASET`: everything known about one dataset config, rows included."""

from __future__ import annotations

import argparse
from typing import Any

from dynotui.commands._util import console, print_json, safe, settings_from
from dynotui.core.errors import DatasetError
from dynotui.core.sources import load_meta, parse_ref


def register(sub, common) -> None:
    p = sub.add_parser("show", parents=[common], help="show one dataset: card, features, rows",
                       description="Show a dataset's metadata, catalog verdicts and sample rows. "
                                   "DATASET is sample:NAME, local:PATH (or a path), or "
                                   "hub:ORG/NAME (or ORG/NAME), optionally with @REVISION.")
    p.add_argument("dataset", metavar="DATASET")
    p.add_argument("--config", metavar="C", help="dataset config (default: the first)")
    p.add_argument("--split", metavar="S", help="only this split")
    p.add_argument("--rows", type=int, metavar="N",
                   help="sample rows per split (default: the sample_rows setting, 100; "
                        "5 are printed without --json)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def meta_json(meta) -> dict[str, Any]:
    data = meta.to_dict()
    data["id"] = meta.ref.id
    data["key"] = meta.ref.key
    data["config"] = meta.ref.config
    data["features"] = {f.name: f.type for f in meta.features}
    data["feature_details"] = [vars(f).copy() for f in meta.features]
    data["label_names"] = {f.name: f.label_names for f in meta.features if f.label_names}
    data["passes"] = meta.passes
    return data


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.rows is not None and args.rows < 0:
        raise DatasetError(f"--rows must be 0 or more, not {args.rows}.")
    rows = args.rows if args.rows is not None else settings.sample_rows
    ref = parse_ref(args.dataset, config=args.config, split=args.split)
    meta = load_meta(ref, rows=rows, settings=settings)
    if args.json:
        print_json(meta_json(meta))
        return 0
    render(console(), meta, shown=args.rows if args.rows is not None else 5)
    return 0


def render(out, meta, shown: int = 5) -> None:
    from rich.table import Table
    from rich.text import Text

    title = Text(safe(meta.pretty_name or meta.name), style="bold")
    title.append("  " + safe(str(meta.ref)), style="dim")
    out.print(title)
    facts = [("license", ", ".join(meta.license) or "none"),
             ("languages", ", ".join(meta.languages) or "not given"),
             ("tasks", ", ".join(meta.task_categories) or "-"),
             ("configs", ", ".join(meta.configs)),
             ("splits", ", ".join(f"{s} ({'?' if n is None else n})"
                                  for s, n in meta.splits.items())),
             ("revision", meta.revision or "-"), ("website", meta.website or "-")]
    for key, value in facts:
        line = Text(f"{key:>10}: ", style="bold")
        line.append(safe(value))
        out.print(line)
    out.print(Text("catalog", style="bold underline"))
    for v in meta.verdicts:
        mark = "✓" if v.ok else ("✗" if v.level == "error" else "!")
        style = "green" if v.ok else ("red" if v.level == "error" else "yellow")
        line = Text(f"  {mark} {v.rule}: ", style=style)
        line.append(safe(v.reason))
        out.print(line)
    if meta.summary:
        out.print(Text("summary", style="bold underline"))
        out.print(Text(safe(meta.summary, 1500)))
    grid = Table(title="features", title_justify="left")
    for column in ("field", "type", "labels", "description"):
        grid.add_column(column, overflow="fold")
    for f in meta.features:
        grid.add_row(Text(safe(f.name)), Text(safe(f.type)),
                     Text(safe(", ".join(f.label_names or []), 300)),
                     Text(safe(f.description, 300)))
    out.print(grid)
    for split, items in meta.rows.items():
        if not items or shown <= 0:
            continue
        # titles and headers given as str are parsed as markup: data goes in as Text
        rows = Table(title=Text(safe(f"{split}: {min(shown, len(items))} of {len(items)} "
                                     "loaded rows")),
                     title_justify="left", show_lines=True)
        for name in meta.field_names or list(items[0]):
            rows.add_column(Text(safe(name)), overflow="fold")
        for row in items[:shown]:
            rows.add_row(*[Text(safe(row.get(n, ""), 400)) for n in meta.field_names or row])
        out.print(rows)
    if meta.truncated:
        out.print(Text(safe(f"cut for display (over 100 KB): {', '.join(meta.truncated[:20])}"),
                       style="yellow"))
