"""`dynotui import-tasks FILE [--source NAME]`: a Dynosaur task list as proposals to review."""

from __future__ import annotations

import argparse
import sys

from dynotui.commands._util import counter, open_store, print_json
from dynotui.core.generation.tasklist import import_tasks


def register(sub, common) -> None:
    parser = sub.add_parser(
        "import-tasks", parents=[common], help="import a Dynosaur-format task list",
        description="Import a JSON list of {task_name, instruction, input_fields, output_field} "
                    "(Dynosaur's released format) as proposals to review. The dataset and config "
                    "come from task_name; tasks are validated against the dataset's fields when "
                    "its metadata is in the workspace; repeated instructions get a "
                    "duplicate_instruction warning. Importing again adds only new tasks.")
    parser.add_argument("file", metavar="FILE", help="the task list (JSON)")
    parser.add_argument("--source", metavar="NAME",
                        help="tag the proposals with source import:NAME (default: file name)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def _progress(done: int, total: int) -> None:
    """A big list takes a while: the tasks checked so far, then what comes next."""
    if done < total:
        counter(f"checking {done:,}/{total:,} tasks", last=False)
    else:
        counter(f"checked {total:,} tasks; writing them to the store…", last=True)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    report = import_tasks(store, args.file, args.source, on_progress=_progress)
    if args.json:
        print_json(report.to_dict())
        return 0
    print(f"{report.entries} entries: {report.imported} imported, {report.already_present} "
          f"already in the workspace ({report.repeated_entries} repeated within the file), "
          f"{len(report.skipped)} skipped")
    print(f"{report.configs} dataset configs in {report.datasets} datasets; "
          f"{report.validated_with_meta} tasks checked against cached dataset fields")
    print(f"{report.duplicate_tasks} tasks share {report.duplicate_groups} repeated instructions "
          f"(warning duplicate_instruction)")
    if report.with_errors:
        rules = ", ".join(f"{k} {v}" for k, v in report.errors_by_rule.items())
        print(f"{report.with_errors} tasks with errors ({rules}): review or reject them")
    for line in report.skipped[:20]:
        print(f"skipped {line}", file=sys.stderr)
    return 0
