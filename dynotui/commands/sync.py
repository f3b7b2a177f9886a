"""`dynotui sync --hub ORG/REPO [--private]`: share the workspace with a team via the Hub."""

from __future__ import annotations

import argparse
import sys

from dynotui.commands._util import open_store, print_json, safe
from dynotui.core.team.sync import sync


def register(sub, common) -> None:
    parser = sub.add_parser(
        "sync", parents=[common], help="share the workspace through a Hub dataset repo",
        description="Pull everyone's decisions, proposals and cached metadata from a Hub "
                    "dataset repo into this workspace, then push yours (HF_TOKEN with write "
                    "access; HF_ENDPOINT). Each annotator writes only their own files there, "
                    "so syncs never overwrite one another; an interrupted sync resumes when "
                    "run again.")
    parser.add_argument("--hub", required=True, metavar="ORG/REPO",
                        help="the dataset repo that holds the shared workspace (created if "
                             "missing)")
    parser.add_argument("--private", action="store_true",
                        help="create the repo as private (an existing repo keeps its setting)")
    parser.add_argument("--pull-only", action="store_true",
                        help="only bring others' work in; push nothing (a read token will do)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        say = (lambda _: None) if args.json else (lambda text: print(safe(text), file=sys.stderr))
        report = sync(store, args.hub, private=args.private, push=not args.pull_only, say=say)
    finally:
        store.close()
    if args.json:
        print_json(report.to_dict())
        return 0
    print(safe(f"pulled {report.pulled_files} files: {report.event_files} decision files "
               f"new or grown, {report.proposals} new proposals, {report.metas} dataset "
               "metadata"))
    if not args.pull_only:
        print(safe(f"pushed {report.pushed_files} files ({report.pushed_bytes:,} bytes) in "
                   f"{len(report.commits)} commits to {report.repo}"))
    for item in report.skipped:
        print(safe(f"dynotui: warning: not merged: {item}"), file=sys.stderr)
    return 0
