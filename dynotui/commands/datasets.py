"""`dynotui datasets`: list bundled samples, local datasets or Hub datasets with catalog verdicts."""

from __future__ import annotations

import argparse

from dynotui.commands._util import console, print_json, settings_from
from dynotui.commands.show import safe
from dynotui.core.errors import DatasetError
from dynotui.core.sources import list_datasets


def register(sub, common) -> None:
    p = sub.add_parser("datasets", parents=[common], help="list datasets and their catalog verdicts",
                       description="List bundled samples, local datasets (a folder of them, or "
                                   "one) or Hugging Face Hub datasets, with the Dynosaur catalog "
                                   "verdicts.")
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="a local folder or file (implies --source local)")
    p.add_argument("--source", dest="list_source", choices=("sample", "local", "hub"),
                   help="where to list from (default: sample, or local when PATH is given)")
    p.add_argument("--search", metavar="Q", help="only datasets whose name contains Q")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N")
    p.add_argument("--sort", metavar="S",
                   choices=("downloads", "likes", "trending", "last_modified"),
                   help="Hub order: downloads, likes, trending, last_modified")
    p.add_argument("--task", metavar="CATEGORY", help="filter by task category")
    p.add_argument("--license", metavar="ID", help="filter by license")
    p.add_argument("--language", metavar="CODE", help="filter by language")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = args.list_source or ("local" if args.path else "sample")
    if args.path and source != "local":
        raise DatasetError(f"PATH is only used with --source local (got --source {source}).",
                           "Drop PATH, or use --source local.")
    filters = {k: v for k, v in (("task_category", args.task), ("license", args.license),
                                 ("language", args.language)) if v}
    entries = list_datasets(source, path=args.path, search=args.search, limit=args.limit,
                            offset=args.offset, sort=args.sort, filters=filters or None,
                            settings=settings_from(args))
    if args.json:
        print_json([{"id": e.id, "name": e.name, "pretty_name": e.pretty_name,
                     "license": e.license, "languages": e.languages,
                     "task_categories": e.task_categories, "fields": e.fields,
                     "downloads": e.downloads, "likes": e.likes,
                     "last_modified": e.last_modified, "revision": e.revision,
                     "passes": all(v.ok for v in e.verdicts if v.level == "error"),
                     "verdicts": [v.to_dict() for v in e.verdicts]} for e in entries])
        return 0
    out = console()
    if not entries:
        out.print(f"No datasets found ({source}).", markup=False)
        return 0
    out.print(table(entries, source))
    return 0


def table(entries, source: str):
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_lines=False, title=f"{len(entries)} dataset(s) from {source}")
    for column in ("id", "license", "lang", "fields", "catalog"):
        grid.add_column(column, overflow="fold")
    for e in entries:
        failed = [v for v in e.verdicts if not v.ok and v.level == "error"]
        warned = [v for v in e.verdicts if not v.ok and v.level != "error"]
        if failed:
            verdict = Text("✗ " + "; ".join(f"{v.rule}: {safe(v.reason)}" for v in failed),
                           style="red")
        else:
            verdict = Text("✓ passes" + (f" ({', '.join(v.rule for v in warned)} unknown)"
                                         if warned else ""), style="green")
        grid.add_row(Text(safe(e.id)), Text(safe(", ".join(e.license) or "-")),
                     Text(safe(", ".join(e.languages) or "-")),
                     Text(safe(", ".join(e.fields) or "?")), verdict)
    return grid
