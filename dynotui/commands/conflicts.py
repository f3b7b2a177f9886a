"""`dynotui decide --conflicts`: list the proposals annotators disagree on, or settle them."""

from __future__ import annotations

import argparse
import re
import sys

from dynotui.commands._util import dataset_matches, open_store, print_json, safe, settings_from
from dynotui.core.errors import ConfigError
from dynotui.core.team.outcomes import ADJUDICATOR
from dynotui.core.sources.refs import filter_id
from dynotui.core.team.conflicts import conflicts


HINT = ("Settle one: dynotui decide ID accept|reject --adjudicate (an edit: accept its "
        "version's id); `dynotui export --policy adjudicated` follows the adjudicator.")


def _conflicts(store, args: argparse.Namespace):
    found = conflicts(store, settings_from(args).adjudicators, include_settled=args.all)
    if args.dataset:
        wanted = filter_id(args.dataset)
        found = [c for c in found if dataset_matches(c.proposal, wanted)]
    if args.match:
        try:
            pattern = re.compile(args.match)
        except re.error as exc:
            raise ConfigError(f"--match {args.match!r} is not a valid regular expression: "
                              f"{exc}.") from exc
        found = [c for c in found if pattern.search(c.proposal.task.instruction)]
    return found


def _vote_line(vote: dict) -> str:
    line = f"  {vote['annotator']:<14} {vote['decision']:<7}"
    if vote["edited"]:
        instruction = (vote.get("edit") or {}).get("instruction", "")
        line = f"  {vote['annotator']:<14} edit    -> {vote['edited']}: {instruction}"
    elif vote["decision"] == "reject" and vote["reason"]:
        line += f" {vote['reason']}"
    if vote["note"]:
        line += f"  (note: {vote['note']})"
    return safe(line, limit=300)


def list_conflicts(args: argparse.Namespace) -> int:
    store = open_store(args)
    found = _conflicts(store, args)
    if args.json:
        print_json([c.to_dict() for c in found])
        return 0
    for conflict in found:
        data = conflict.to_dict()
        where = data["dataset"] + (f"/{data['config']}" if data["config"] else "")
        state = "settled" if data["settled"] else "open"
        print(safe(f"{data['id']}  {where}  [{state}]", limit=300))
        print("  " + safe(data["task"]["instruction"].replace("\n", " "), limit=200))
        for vote in data["votes"]:
            print(_vote_line(vote))
        if data["settled"]:
            print(_vote_line({**data["settled"], "annotator": "=> " + data["settled"]
                              ["annotator"]}))
    opened = sum(not c.settled for c in found)
    print(f"{opened} open conflicts" + (f", {len(found) - opened} settled" if args.all else "")
          + (f". {HINT}" if opened else "."), file=sys.stderr)
    return 0


def select_conflicts(store, args: argparse.Namespace, pid: str | None) -> list[str]:
    """The ids `decide --conflicts` acts on: the one given (a version in a conflict), else
    every conflict's original proposal."""
    found = _conflicts(store, args)
    if pid is not None:
        target = store.find(pid).id
        if not any(target in c.family.versions for c in found):
            raise ConfigError(f"Proposal {target} is not in an open conflict.",
                              "List them with `dynotui decide --conflicts` (--all: settled "
                              "ones too).")
        return [target]
    ids = [c.proposal.id for c in found]
    return ids[:args.limit] if args.limit is not None else ids


def adjudication_role(args: argparse.Namespace, action: str) -> str:
    """'adjudicator' when this annotator may settle conflicts, else '' (with a note)."""
    settings = settings_from(args)
    if args.adjudicate or settings.annotator in settings.adjudicators:
        return ADJUDICATOR
    print(f"dynotui: note: {safe(settings.annotator)} is not an adjudicator (--adjudicate, or "
          f"`adjudicators = [...]` in the config): this {action} counts as one more vote.",
          file=sys.stderr)
    return ""
