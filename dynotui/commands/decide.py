"""`dynotui decide [ID] ACTION`: scripted and bulk decisions, each printed once durable."""

from __future__ import annotations

import argparse
import re
import sys

from dynotui.commands._util import dataset_matches, open_store, settings_from
from dynotui.commands.conflicts import adjudication_role, list_conflicts, select_conflicts
from dynotui.core.errors import ConfigError, StoreError
from dynotui.core.store import DECIDE_ACTIONS, STATUSES
from dynotui.core.sources.refs import filter_id


ACTIONS = (*DECIDE_ACTIONS, "undo")
CHUNK = 64  # decisions per write in bulk runs


def register(sub, common) -> None:
    parser = sub.add_parser(
        "decide", parents=[common], help="accept/reject/skip/flag proposals from scripts",
        description="Decide one proposal (by id or unique id prefix) or every proposal matching "
                    "the filters. Each decided id is printed once it is safely on disk. "
                    "`dynotui decide undo` undoes your latest decision.")
    parser.add_argument("target", nargs="*", metavar="[ID] ACTION",
                        help=f"ACTION is one of {', '.join(ACTIONS)}")
    parser.add_argument("--dataset", metavar="D",
                        help="only this dataset: hub:org/name, org/name, org/name/config "
                             "or an imported task_name")
    parser.add_argument("--config", metavar="C", help="only this dataset config")
    parser.add_argument("--match", metavar="REGEX", help="only instructions matching REGEX")
    parser.add_argument("--status", choices=[*STATUSES, "any"],
                        help="only proposals with this status for you (default with filters: "
                             "undecided)")
    parser.add_argument("--reason", metavar="R", default="",
                        help="reject reason (text, or 1-9 for the configured reasons)")
    parser.add_argument("--note", metavar="N", default="", help="free note on the decision")
    parser.add_argument("--limit", type=int, metavar="N", help="decide at most N proposals")
    parser.add_argument("--dry-run", action="store_true", help="list the ids, decide nothing")
    parser.add_argument("--force", action="store_true",
                        help="bulk accept: also accept proposals with error-level checks "
                             "(skipped by default; `dynotui proposals --json` lists them)")
    parser.add_argument("--conflicts", action="store_true",
                        help="the proposals annotators disagree on: without ACTION, list them "
                             "with each annotator's decision; with ACTION, decide them")
    parser.add_argument("--all", action="store_true",
                        help="with --conflicts: settled conflicts too")
    parser.add_argument("--adjudicate", action="store_true",
                        help="record the decision as an adjudicator's: it settles the conflict "
                             "(export --policy adjudicated); also `adjudicators = [...]` in the "
                             "config")
    parser.add_argument("--json", action="store_true", help="with --conflicts: list as JSON")
    parser.set_defaults(func=run)


def _reason(text: str, args) -> str:
    if text.isdigit():
        reasons = settings_from(args).reject_reasons
        if not 1 <= int(text) <= len(reasons):
            raise ConfigError(f"Reason {text} is not in the list of {len(reasons)} reasons.",
                              "Use 1-%d or a text reason." % len(reasons))
        return reasons[int(text) - 1]
    return text


def _select(store, args, pid: str | None) -> list[str]:
    if pid is not None:
        return [store.find(pid).id]
    if not (args.dataset or args.match or args.status or args.config):
        raise ConfigError("No proposal id and no filter given.",
                          "Give an id, or --dataset/--match/--status (e.g. --status undecided).")
    try:
        pattern = re.compile(args.match) if args.match else None
    except re.error as exc:
        raise ConfigError(f"--match {args.match!r} is not a valid regular expression: {exc}.") from exc
    props = store.live_proposals()
    if args.dataset:
        wanted = filter_id(args.dataset)  # a relative path names the stored local: id
        props = [p for p in props if dataset_matches(p, wanted)]
    if args.config:
        props = [p for p in props if p.config == args.config]
    if pattern:
        props = [p for p in props if pattern.search(p.task.instruction)]
    wanted = args.status or "undecided"
    if wanted != "any":
        status = store.statuses()
        props = [p for p in props if status.get(p.id, "undecided") == wanted]
    props.sort(key=lambda p: (p.created, p.id))
    ids = [p.id for p in props]
    return ids[:args.limit] if args.limit is not None else ids


def _checked_for_accept(store, ids: list[str], bulk: bool, force: bool) -> list[str]:
    """Bulk accept leaves out proposals whose checks found errors, unless --force; one named
    proposal is accepted with a warning (it stays out of exports without --include-invalid)."""
    invalid = [pid for pid in ids if store.proposal(pid).errors]
    if not invalid:
        return ids
    if not bulk or force:
        rules = sorted({v.rule for pid in invalid for v in store.proposal(pid).errors})
        print(f"dynotui: warning: accepting {len(invalid)} proposal(s) with error-level checks "
              f"({', '.join(rules)}); exports leave them out unless --include-invalid",
              file=sys.stderr)
        return ids
    print(f"dynotui: skipped {len(invalid)} of {len(ids)} proposals with error-level checks "
          "(see `dynotui proposals --status undecided`); --force accepts them too",
          file=sys.stderr)
    bad = set(invalid)
    return [pid for pid in ids if pid not in bad]


def run(args: argparse.Namespace) -> int:
    if args.conflicts and not args.target:
        return list_conflicts(args)
    if not args.target or len(args.target) > 2 or args.target[-1] not in ACTIONS:
        raise ConfigError(f"Expected [ID] ACTION, got {' '.join(args.target)!r}.",
                          f"ACTION is one of {', '.join(ACTIONS)}; e.g. "
                          "`dynotui decide 3fa2 accept` or `dynotui decide reject --match ...`.")
    if args.limit is not None and args.limit < 0:  # ids[:-1] would decide all but one
        raise ConfigError(f"--limit must be 0 or more, not {args.limit}.")
    action = args.target[-1]
    pid = args.target[0] if len(args.target) == 2 else None
    store = open_store(args)
    for problem in store.problems:
        print(f"dynotui: warning: {problem.message}", file=sys.stderr)
    if action == "undo":
        if pid is not None:
            raise ConfigError("undo takes no id: it undoes your latest decision.")
        event = store.undo()
        print(f"{event.proposal}\tundo" if event else "nothing to undo", flush=True)
        return 0 if event else 1
    if action != "reject" and args.reason:
        raise ConfigError("--reason is for reject.")
    reason = _reason(args.reason, args)
    role = ""
    if args.conflicts or args.adjudicate:
        role = adjudication_role(args, action)
    ids = select_conflicts(store, args, pid) if args.conflicts else _select(store, args, pid)
    if not ids:
        print("dynotui: no proposal matches", file=sys.stderr)
        return 1
    if action == "accept":
        ids = _checked_for_accept(store, ids, bulk=pid is None, force=args.force)
        if not ids:
            return 1
    # Bulk runs write in chunks (one fsync each); small chunks first so ids appear at once.
    start, size = 0, 1
    while start < len(ids):
        chunk = ids[start:start + size]
        if not args.dry_run:
            try:
                store.decide_many(chunk, action, reason=reason, note=args.note, role=role)
            except StoreError:
                print("dynotui: stopped; the ids printed above are decided" if start else
                      "dynotui: stopped; nothing was decided", file=sys.stderr)
                raise
        # printed only after decide_many() returned, i.e. after the events are fsynced
        sys.stdout.write("".join(f"{pid}\t{action}\n" for pid in chunk))
        sys.stdout.flush()
        start, size = start + len(chunk), min(size * 2, CHUNK)
    return 0
