"""`dynotui proposals [--dataset D] [--status S] [--json]`: what Review shows, for scripts."""

from __future__ import annotations

import argparse
from typing import Any

from dynotui.commands._util import dataset_matches, open_store, print_json, safe
from dynotui.core.store import STATUSES
from dynotui.core.sources.refs import filter_id


def register(sub, common) -> None:
    parser = sub.add_parser(
        "proposals", parents=[common], help="list proposals with their status and checks",
        description="Every live proposal (oldest first) with its id, dataset, config, task, "
                    "your status, provenance and its checks (errors reject, warnings inform). "
                    "Text: one tab-separated line each; --json: a list of objects.")
    parser.add_argument("--dataset", metavar="D",
                        help="only this dataset: hub:org/name, org/name, org/name/config "
                             "or an imported task_name")
    parser.add_argument("--status", choices=[*STATUSES, "any"], default="any",
                        help="only proposals with this status for you (default: any)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def _checks(verdicts) -> list[dict[str, str]]:
    return [{"code": v.rule, "level": v.level, "message": v.reason} for v in verdicts]


def record(prop, status: str) -> dict[str, Any]:
    return {"id": prop.id, "dataset": prop.dataset, "config": prop.config,
            "instruction": prop.task.instruction, "input_fields": list(prop.task.input_fields),
            "output_field": prop.task.output_field, "status": status, "source": prop.source,
            "model": prop.model, "variant": prop.variant, "task_name": prop.task_name,
            "errors": _checks(prop.errors), "warnings": _checks(prop.warnings)}


def select(store, dataset: str | None, status: str) -> list[dict[str, Any]]:
    props = store.live_proposals()
    if dataset:
        wanted = filter_id(dataset)
        props = [p for p in props if dataset_matches(p, wanted)]
    statuses = store.statuses()
    rows = [record(p, statuses.get(p.id, "undecided")) for p in props]
    if status != "any":
        rows = [r for r in rows if r["status"] == status]
    order = {p.id: (p.created, p.id) for p in props}
    return sorted(rows, key=lambda r: order[r["id"]])


def _line(r: dict[str, Any]) -> str:
    where = f"{r['dataset']}/{r['config']}" if r["config"] else r["dataset"]
    checks = " ".join([*(f"E:{c['code']}" for c in r["errors"]),
                       *(f"W:{c['code']}" for c in r["warnings"])]) or "ok"
    fields = f"{','.join(r['input_fields'])} -> {r['output_field']}"
    # tabs and newlines inside model text would break the columns
    cells = [r["id"], r["status"], where, fields, checks, r["instruction"]]
    return "\t".join(safe(" ".join(str(c).split())) for c in cells)


def run(args: argparse.Namespace) -> int:
    import sys

    store = open_store(args)
    for problem in store.problems:
        print(f"dynotui: warning: {problem.message}", file=sys.stderr)
    rows = select(store, args.dataset, args.status)
    if args.json:
        print_json(rows)
    else:
        sys.stdout.write("".join(_line(r) + "\n" for r in rows))
    if not rows:
        print("dynotui: no proposal matches", file=sys.stderr)
    return 0
