"""`dynotui crawl`: page through the Hub listing, record verdicts, queue new datasets."""

from __future__ import annotations

import argparse

from dynotui.commands._util import console, open_store, print_json, settings_from
from dynotui.core.text import inert
from dynotui.core.growth.crawl import crawl
from dynotui.core.growth.log import stage_line, stage_summaries


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "crawl", parents=[common], help="find new Hub datasets and queue them for generation",
        description="Page through the Hugging Face Hub listing (HF_ENDPOINT), record the catalog "
                    "verdicts of every dataset seen and queue those that pass for `dynotui "
                    "generate --queued` or `dynotui batch write`. Each crawl is a stage; an "
                    "interrupted crawl continues where it stopped when run again.")
    p.add_argument("--search", metavar="Q", help="only datasets whose id contains Q")
    p.add_argument("--task-category", metavar="C", help="only this task category tag")
    p.add_argument("--since", metavar="DATE", help="only datasets modified (or created, with "
                   "--sort created) on or after DATE (ISO, e.g. 2024-05-01)")
    p.add_argument("--sort", default="downloads", choices=("downloads", "modified", "created"),
                   help="listing order (default: downloads)")
    p.add_argument("--limit", type=int, metavar="N", help="stop after N datasets (run again to go on)")
    p.add_argument("--concurrency", type=int, default=8, metavar="N",
                   help="datasets opened at once (default 8)")
    p.add_argument("--rows", type=int, default=20, metavar="N",
                   help="sample rows read per split while crawling (default 20)")
    p.add_argument("--dry-run", action="store_true",
                   help="list and judge from the listing only: open nothing, write nothing")
    p.add_argument("--stages", action="store_true",
                   help="list the crawl stages (date, query, counts) instead of crawling")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=run)


def summary(report) -> list[str]:
    what = "Dry run" if report.dry_run else f"Stage {report.stage}"
    state = ("listing exhausted" if report.finished else
             {"limit": "stopped at --limit; run again to continue",
              "cancelled": "interrupted; run again to continue",
              "error": "stopped by an error; run again to continue"}.get(report.stopped, ""))
    lines = [f"{what}: {report.seen:,} datasets seen in {report.seconds:.1f} s over "
             f"{report.listing_calls} listing calls ({'resumed, ' if report.resumed else ''}{state})."]
    if report.dry_run:
        lines.append(f"  would open: {report.would_fetch:,}   unchanged: {report.unchanged:,}")
    else:
        lines.append(f"  queued: {report.queued:,}   unchanged: {report.unchanged:,}   "
                     f"opened: {report.fetched:,}   failed (retry next crawl): {report.failed:,}")
    for reason, n in sorted(report.skipped.items(), key=lambda kv: -kv[1]):
        lines.append(f"  skipped {n:,}: {reason}")
    if report.already:
        lines.append(f"  already recorded in this stage: {report.already:,}")
    totals = report.stage_totals
    if totals and report.resumed:
        lines.append(f"  stage {totals['stage']} so far: {totals['seen']:,} seen, "
                     f"{totals['queued']:,} queued")
    if report.error:
        lines.append(f"  error: {report.error}")
    return lines


def run(args: argparse.Namespace) -> int:
    import threading

    from rich.text import Text

    settings = settings_from(args)
    store = open_store(args)
    if args.stages:
        stages = stage_summaries(store.workspace)
        if args.json:
            print_json(stages)
        else:
            lines = [stage_line(x) for x in stages] or ["no crawl stages yet: run `dynotui crawl`"]
            for line in lines:
                console().print(Text(inert(line)), soft_wrap=True)
        return 0
    err = console(stderr=True)
    stop = threading.Event()
    status = err.status("crawling", spinner="dots") if err.is_terminal else None

    def on_progress(report) -> None:
        if status is not None:
            status.update(Text(f"stage {report.stage}: {report.seen:,} seen, "
                               f"{report.queued:,} queued, {sum(report.skipped.values()):,} skipped"))

    try:
        if status is not None:
            status.start()
        report = crawl(store, settings, search=args.search, task_category=args.task_category,
                       since=args.since, sort=args.sort, limit=args.limit, dry_run=args.dry_run,
                       on_progress=on_progress, cancel=stop.is_set,
                       concurrency=args.concurrency, rows=args.rows)
    finally:
        if status is not None:
            status.stop()
    if args.json:
        print_json(report.to_dict())
    else:
        out = console()
        for line in summary(report):
            out.print(Text(inert(line)), soft_wrap=True)  # untrusted card text: inert
    return 1 if report.stopped == "error" else 0
