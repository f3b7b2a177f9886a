"""`dynotui stats [--json]`: what the workspace holds and how review is going."""

from __future__ import annotations

import argparse

from dynotui.commands._util import console, open_store, print_json, settings_from
from dynotui.commands.show import safe
from dynotui.core.growth.log import stage_line
from dynotui.core.stats import compute


def register(sub, common) -> None:
    parser = sub.add_parser("stats", parents=[common], help="counts of proposals and decisions",
                            description="Proposals and decisions by status, dataset, model, "
                                        "prompt variant and source, with the share passing the "
                                        "checks and the acceptance rate (rate: accepted of "
                                        "decided); time per decision, duplicates, tokens and "
                                        "cost.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--by", choices=["datasets", "by_model", "by_variant", "by_source"],
                        action="append", help="tables to show (default: all but datasets "
                                              "when there are more than 20)")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="rows per table")
    parser.add_argument("--near", action="store_true",
                        help="compute near-duplicate instruction groups (embeddings extra; "
                             "embeds only new instructions)")
    parser.set_defaults(func=run)


def _table(title: str, rows: dict[str, dict], top: int):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", box=None, pad_edge=False)
    table.add_column("", overflow="fold", ratio=1)
    for col in ("tasks", "checks", "undec", "acc", "rej", "skip", "edit", "rate"):
        table.add_column(col, justify="right", no_wrap=True)
    ordered = sorted(rows.items(), key=lambda kv: -kv[1]["proposals"])
    for name, row in ordered[:top]:
        rate = row["acceptance_rate"]
        table.add_row(Text(safe(name)), str(row["proposals"]), f"{row['checks_rate']:.0%}",
                      *(str(row[k]) for k in ("undecided", "accepted", "rejected", "skipped",
                                              "edited")),
                      "-" if rate is None else f"{rate:.0%}")
    if len(ordered) > top:
        table.caption = f"{len(ordered) - top} more (use --top or --json)"
    return table


def _near_line(near: dict | None) -> str:
    if near is None:
        return "near-dups   not computed (dynotui stats --near)"
    if not near.get("available"):
        return f"near-dups   unavailable: {near.get('error') or ''} {near.get('hint', '')}".strip()
    largest = ", ".join(map(str, near["largest"])) or "-"
    top = near.get("largest_group") or {}
    detail = ""
    if top.get("spread") is not None:
        detail = (f"; the largest: {top.get('distinct')} distinct instructions, each at cosine >= "
                  f"{top['spread']:.3f} to its centre")
    return (f"near-dups   {near['proposals']} tasks in {near['groups']} groups at cosine >= "
            f"{near['threshold']}; largest {largest}{detail} (dynotui similar --groups)")


def run(args: argparse.Namespace) -> int:
    store = open_store(args)

    data = compute(store, annotator=args.annotator, near=args.near, settings=settings_from(args))
    if args.json:
        print_json(data)
        return 0
    from rich.text import Text

    out = console()
    st = data["by_status"]
    rate = data["acceptance_rate"]
    dec = data["decisions"]
    lines = [
        f"workspace   {store.workspace}",
        f"proposals   {data['proposals']} in {data['dataset_count']} datasets "
        f"({data['with_errors']} with errors, {data['with_warnings']} with warnings)",
        "status      " + ", ".join(f"{k} {v}" for k, v in st.items())
        + f"  [{data['annotator']}]",
        f"acceptance  {'-' if rate is None else f'{rate:.1%}'}; flagged {data['flagged']}",
        f"decisions   {dec['events']} events, {dec['undone']} undone; median "
        f"{dec['median_seconds'] if dec['median_seconds'] is not None else '-'} s per decision; "
        + ", ".join(f"{k} {v}" for k, v in dec["by_annotator"].items()),
        f"duplicates  {data['duplicates']['exact']} tasks share "
        f"{data['duplicates']['exact_groups']} instruction strings",
        _near_line(data["duplicates"]["near"]),
        f"tokens      {data['tokens']['in']} in, {data['tokens']['out']} out; "
        f"cost ${data['cost_usd']:.4f}",
        f"stages      {len(data['stages'])}; generations cached {data['generations']}",
    ]
    lines += ["  " + stage_line(s) for s in data.get("crawl_stages", [])]  # dynotui crawl's stages
    for line in lines:
        out.print(Text(safe(line)))  # names come from data: no markup, controls escaped
    tables = args.by or [t for t in ("by_source", "by_model", "by_variant", "datasets")
                         if t != "datasets" or data["dataset_count"] <= args.top]
    for name in tables:
        out.print(_table(name.replace("by_", "by "), data[name], args.top))
    for problem in data["problems"]:
        out.print(Text(safe(f"problem: {problem}"), style="bold red"))
    return 0
