"""`dynotui export`: accepted tasks applied to their rows, written in a training format."""

from __future__ import annotations

import argparse
from dynotui.commands._util import console, open_store, print_json, settings_from
from dynotui.commands.show import safe
from dynotui.core.export import ExportOptions, run_export
from dynotui.core.export.options import FORMATS, POLICIES, STYLES
from dynotui.core.store.records import DamagedFile


FORMAT_HELP = ("alpaca (JSON list), jsonl, sharegpt, messages (OpenAI chat JSONL), "
               "trl (prompt/completion JSONL), superni (folder of task files), "
               "hf (folder of parquet shards + card)")


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="write accepted tasks as training data",
                       description="Apply the accepted tasks to their datasets' rows and write "
                                   "the instances. " + FORMAT_HELP + ". With --annotator NAME "
                                   "only NAME's decisions count; otherwise --policy combines "
                                   "everyone's. With --held-out, held-out tasks go to "
                                   "PATH-stem.held-out.SUFFIX (files), the `test` split (hf) "
                                   "or splits/default/test_tasks.txt (superni).")
    p.add_argument("--format", "-f", required=True, choices=FORMATS, help=FORMAT_HELP)
    p.add_argument("--out", "-o", required=True, metavar="PATH",
                   help="file (or folder for superni/hf); written atomically")
    p.add_argument("--style", default="clean", choices=STYLES,
                   help="instance style: clean (default: the Dynosaur rules, values stripped, "
                        "duplicates dropped) or dynosaur (the released pipeline's instances "
                        "byte for byte: its row sample, label space and dropped tasks; no "
                        "dedupe). README, Export formats, compares them")
    p.add_argument("--policy", default="any", choices=POLICIES,
                   help="how several annotators' decisions combine (default: any; adjudicated: "
                        "an adjudicator's decision where one settled a conflict, else majority)")
    p.add_argument("--dataset", action="append", default=[], metavar="D",
                   help="only this dataset (id, id/config or name); repeatable")
    p.add_argument("--per-task", type=int, metavar="N", help="at most N instances per task")
    p.add_argument("--seed", type=int, default=0, help="seed for sampling and held-out split")
    p.add_argument("--max-input", type=int, default=2000, metavar="N",
                   help="cut inputs to N characters (default 2000)")
    p.add_argument("--max-output", type=int, default=2000, metavar="N",
                   help="cut outputs to N characters (default 2000)")
    p.add_argument("--max-rows", type=int, metavar="N", help="read at most N rows per dataset")
    p.add_argument("--held-out", type=float, metavar="FRAC",
                   help="put this fraction of TASKS in a separate held-out split")
    p.add_argument("--held-out-by", default="task", choices=("task", "dataset"),
                   help="draw the held-out split by task (default) or by dataset, so no "
                        "dataset's rows reach both splits; the (input, output) overlap is printed")
    p.add_argument("--include-invalid", action="store_true",
                   help="also export accepted tasks whose checks found errors (left out and "
                        "counted by default)")
    p.add_argument("--trl-style", default="conversational", choices=("conversational", "plain"),
                   help="trl: prompt/completion as chat message lists, so the model's chat "
                        "template applies (default), or plain text (the prompt ends with a "
                        "newline, the completion starts with a space)")
    p.add_argument("--max-per-dataset", type=int, metavar="N",
                   help="at most N tasks per dataset config (sampled with --seed; with "
                        "--diverse, the most diverse N)")
    p.add_argument("--diverse", type=int, metavar="K",
                   help="choose K accepted tasks that cover the instruction space (farthest-point "
                        "on instruction embeddings; needs the embeddings extra)")
    p.add_argument("--no-dedupe", action="store_true", help="keep exact duplicate instances")
    p.add_argument("--stage", type=int, metavar="K",
                   help="only tasks of crawl stage K (see `dynotui crawl --stages`); rows get "
                        "`stage` and `replay` fields")
    p.add_argument("--replay", type=int, metavar="N", help="with --stage: add N tasks of earlier stages")
    p.add_argument("--replay-by", default="diverse", choices=("diverse", "similar", "random"),
                   help="how replayed tasks are chosen by instruction embeddings (default diverse)")
    p.add_argument("--push-to-hub", metavar="REPO",
                   help="with --format hf: upload the folder to this dataset repo "
                        "(HF_TOKEN, HF_ENDPOINT)")
    p.add_argument("--private", action="store_true", help="create the Hub repo as private")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=run)


def options_from(args: argparse.Namespace):
    settings = settings_from(args)
    return ExportOptions(
        format=args.format, out=args.out, policy=args.policy, style=args.style,
        annotator=getattr(args, "annotator", None), datasets=list(args.dataset),
        adjudicators=list(settings.adjudicators),
        per_task=args.per_task, seed=args.seed, max_input=args.max_input,
        max_output=args.max_output, held_out=args.held_out, held_out_by=args.held_out_by,
        include_invalid=args.include_invalid, trl_style=args.trl_style,
        dedupe=not args.no_dedupe,
        max_rows=args.max_rows, push_to_hub=args.push_to_hub, private=args.private,
        max_per_dataset=args.max_per_dataset, diverse=args.diverse,
        embed_model=settings.embed_model,
        stage=args.stage, replay=args.replay, replay_by=args.replay_by)


def _summary(report) -> list[str]:
    lines = [f"{'Cancelled' if report.cancelled else 'Wrote'} {report.instances:,} instances "
             f"from {report.tasks_written:,} of {report.tasks:,} tasks over {report.datasets:,} "
             f"dataset configs ({report.rows_read:,} rows read) in {report.seconds:.1f} s."]
    for split, n in sorted(report.by_split.items()):
        lines.append(f"  {split}: {n:,} instances")
    if report.held_out_tasks:
        lines.append(f"  held-out tasks: {report.held_out_tasks:,} (no task in both splits)")
        lines.append(f"  held-out (input, output) pairs also in train: "
                     f"{report.held_out_overlap:,} of {report.held_out_pairs:,}"
                     + (" (--held-out-by dataset keeps a dataset's rows on one side)"
                        if report.held_out_overlap else ""))
    if report.left_out_invalid:
        rules = ", ".join(f"{k} {v}" for k, v in report.left_out_rules.items())
        lines.append(f"  left out {report.left_out_invalid:,} accepted task(s) with error-level "
                     f"checks ({rules}); --include-invalid exports them")
    for task, why in sorted(report.left_out_format.items()):
        lines.append(f"  left out of {report.format}: {task}: {why}")
    for path in report.paths:
        lines.append(f"  -> {path}")
    if not report.paths and not report.cancelled:
        lines.append("  nothing written: what was at --out is left as it was")
    for reason, n in sorted(report.skipped.items(), key=lambda kv: -kv[1]):
        lines.append(f"  skipped {n:,}: {reason}")
    for rule, n in sorted(report.tasks_dropped.items(), key=lambda kv: -kv[1]):
        lines.append(f"  tasks dropped {n:,}: {rule} (--json lists each task's reason)")
    if report.cut:
        lines.append(f"  cut to the length caps: {report.cut:,}")
    for key, why in sorted(report.failed_datasets.items()):
        lines.append(f"  dataset not read: {key}: {why}")
    if report.pushed:
        lines.append(f"  pushed: {report.pushed}")
    if report.push_error:
        lines.append(f"  push failed: {report.push_error}")
    return lines


def run(args: argparse.Namespace) -> int:
    import threading

    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)
    from rich.text import Text

    options = options_from(args)
    options.check()
    store = open_store(args)
    err = console(stderr=True)
    for problem in store.problems:  # decisions lost or not counted: say so, don't hide it
        counted = isinstance(problem, DamagedFile)  # what is left in it is exported
        lost = "" if counted else " Decisions and tasks in it are not in this export."
        err.print(Text(safe(f"dynotui: warning: {problem.message}{lost}\n{problem.hint}")),
                  soft_wrap=True)
    cancel = threading.Event()
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                   MofNCompleteColumn(), TextColumn("{task.fields[counts]}", markup=False),
                   TimeElapsedColumn(), console=err, transient=True,
                   disable=not err.is_terminal)
    with bar:
        job = bar.add_task("datasets", total=None, counts="")

        def on_progress(p) -> None:
            bar.update(job, total=p.datasets_total, completed=p.datasets_done,
                       description=safe(p.dataset[-40:]),
                       counts=f"{p.instances:,} instances, {p.rows:,} rows")

        try:
            report = run_export(store, options, on_progress=on_progress, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            raise
    if args.json:
        print_json(report.to_dict())
    else:
        out = console()
        for line in _summary(report):
            # paths and reasons are untrusted: no markup, controls shown as escapes
            out.print(Text(safe(line)), soft_wrap=True)
    # 1: cancelled, nothing exported, or the push failed (the summary says which)
    return 1 if report.push_error or not report.paths or not report.instances else 0
