"""`dynotui batch write|submit|status|collect|ingest`: generation through batch engines."""

from __future__ import annotations

import argparse

from dynotui.commands._util import console, open_store, print_json, settings_from
from dynotui.core.text import inert


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "batch", parents=[common], help="generate through the OpenAI Batch API or vllm run-batch",
        description="Write the crawl queue's requests in the OpenAI Batch input format, submit "
                    "them, collect and ingest the answers (also from `vllm run-batch`). Answers "
                    "go through the same validation as live generation.")
    _options(p, argparse.SUPPRESS)
    p.set_defaults(json=False, model=None)
    shared = argparse.ArgumentParser(add_help=False)
    _options(shared, argparse.SUPPRESS)  # also accepted after the action; unset ones keep the top's
    for action in common._actions:
        if action.option_strings and "-h" not in action.option_strings:
            shared.add_argument(*action.option_strings, dest=action.dest, metavar=action.metavar,
                                help=action.help, default=argparse.SUPPRESS)
    actions = p.add_subparsers(dest="batch_action", metavar="ACTION", required=True)

    def action(name: str, help: str):
        return actions.add_parser(name, parents=[shared], help=help)

    w = action("write", "write queued requests to a .jsonl file")
    w.add_argument("--out", "-o", required=True, metavar="FILE.jsonl")
    w.add_argument("--variant", action="append", choices=("aware", "unaware"),
                   help="only this prompt variant (repeatable; default both)")
    w.add_argument("--mode", default="json_schema", choices=("json_schema", "json_object", "text"),
                   help="response_format in each request (default json_schema)")
    w.add_argument("--force", action="store_true", help="include requests already generated")
    s = action("submit", "upload a request file and create a batch")
    s.add_argument("file", metavar="FILE.jsonl")
    s.add_argument("--window", default="24h", help="completion window (default 24h)")
    st = action("status", "show a submitted batch's progress")
    st.add_argument("--id", dest="batch_id", metavar="BATCH_ID")
    c = action("collect", "download a finished batch's answers and ingest them")
    c.add_argument("--id", dest="batch_id", metavar="BATCH_ID")
    c.add_argument("--wait", action="store_true", help="poll until the batch finishes")
    c.add_argument("--poll", type=float, default=10.0, metavar="S", help="seconds between polls")
    i = action("ingest", "ingest a Batch results file produced elsewhere")
    i.add_argument("file", metavar="FILE.jsonl")
    i.add_argument("--force", action="store_true", help="store answers already generated again")
    p.set_defaults(func=run)


def _options(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument("--json", action="store_true", default=default,
                        help="print the report as JSON on stdout")
    parser.add_argument("--model", metavar="NAME", default=default,
                        help="model name (env DYNOTUI_MODEL)")


def ingest_lines(report) -> list[str]:
    lines = [f"Ingested {report.path}: {report.lines:,} lines, {report.answers:,} answers, "
             f"{report.proposals:,} proposals ({report.kept:,} kept)."]
    if report.cached:
        lines.append(f"  already generated (not stored again): {report.cached:,}")
    for rule, n in sorted(report.rejected.items(), key=lambda kv: -kv[1]):
        lines.append(f"  rejected {n:,}: {rule}")
    for reason, n in sorted(report.failed.items(), key=lambda kv: -kv[1]):
        lines.append(f"  failed line {n:,}: {reason}")
    if report.failed_file:
        lines.append(f"  failed lines kept in {report.failed_file}")
    lines.append(f"  tokens {report.tokens_in:,} in / {report.tokens_out:,} out, "
                 f"${report.cost_usd:.4f}; queued datasets completed: {report.generated:,}")
    return lines


def _write(args, store, settings) -> tuple[dict, list[str]]:
    # deferred: http/ssl modules; cli.py imports every command
    from dynotui.core.growth.batch import write_requests

    variants = tuple(args.variant) if args.variant else None
    report = write_requests(store, settings, args.out, variants=variants, force=args.force,
                            mode=args.mode)
    lines = [f"Wrote {report.requests:,} requests for {report.datasets:,} datasets to {report.path}."]
    if report.cached:
        lines.append(f"  already generated: {report.cached:,} (use --force to include)")
    for why in report.skipped[:20]:
        lines.append(f"  skipped {why}")
    if report.missing:
        lines.append(f"  queued without metadata (crawl again): {len(report.missing):,}")
    return report.to_dict(), lines


def run(args: argparse.Namespace) -> int:
    from rich.text import Text

    # deferred: http/ssl modules; cli.py imports every command
    from dynotui.core.growth import batchapi
    from dynotui.core.growth.batch import ingest

    settings = settings_from(args)
    store = open_store(args)
    action = args.batch_action
    if action == "write":
        data, lines = _write(args, store, settings)
    elif action == "submit":
        data = batchapi.submit(store, settings, args.file, window=args.window)
        lines = [f"Submitted batch {data['id']} ({data['status']}) from {data['input']}.",
                 "  check with `dynotui batch status`; collect with `dynotui batch collect`."]
    elif action == "status":
        data = batchapi.status(store, settings, args.batch_id)
        counts = data.get("counts") or {}
        lines = [f"Batch {data['id']}: {data['status']}"
                 + (f", {counts.get('completed', 0)}/{counts.get('total', 0)} done, "
                    f"{counts.get('failed', 0)} failed" if counts else "")]
    elif action == "collect":
        entry, reports = batchapi.collect(store, settings, args.batch_id, wait=args.wait,
                                          poll=args.poll)
        data = {"batch": entry, "ingested": [r.to_dict() for r in reports]}
        lines = [f"Batch {entry['id']}: {entry['status']}"]
        for report in reports:
            lines += ingest_lines(report)
    else:
        report = ingest(store, settings, args.file, force=args.force)
        data, lines = report.to_dict(), ingest_lines(report)
    if args.json:
        print_json(data)
    else:
        out = console()
        for line in lines:
            out.print(Text(inert(line)), soft_wrap=True)  # untrusted text: inert
    return 0
