"""`dynotui agreement [--json]`: how much annotators agree on accept/reject."""

from __future__ import annotations

import argparse

from dynotui.commands._util import open_store, print_json, safe, settings_from
from dynotui.core.errors import ConfigError
from dynotui.core.team.agreement import compute


def register(sub, common) -> None:
    parser = sub.add_parser(
        "agreement", parents=[common], help="inter-annotator agreement and disputed reasons",
        description="For each pair of annotators: the proposals both decided, percent "
                    "agreement and Cohen's kappa on accept/reject (an edit counts as accept). "
                    "Over everyone: Krippendorff's alpha (nominal). Then the reject reasons "
                    "most often met by a different decision, and the open conflicts "
                    "(`dynotui decide --conflicts`). Adjudicators' decisions are not votes.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="reasons to show")
    parser.set_defaults(func=run)


def _figure(value, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def lines(data: dict, top: int = 10) -> list[str]:
    """The report as plain lines (names escaped by the caller)."""
    out = [f"annotators  {len(data['annotators'])}: {', '.join(data['annotators']) or '-'}",
           f"proposals   {data['items']} decided, {data['shared_items']} by two or more",
           f"alpha       {_figure(data['alpha'])} (Krippendorff, nominal, everyone)"]
    if data["adjudicators"]:
        out.append(f"adjudicate  {', '.join(data['adjudicators'])}")
    conflicts = data["conflicts"]
    out.append(f"conflicts   {conflicts['open']} open, {conflicts['settled']} settled"
               + (" (dynotui decide --conflicts)" if conflicts["open"] else ""))
    if data["pairs"]:
        width = max(len(f"{p['a']} / {p['b']}") for p in data["pairs"])
        out.append("")
        out.append(f"{'pair':<{width}}  {'both':>6}  {'agree':>7}  {'kappa':>6}")
        for p in data["pairs"]:
            out.append(f"{p['a'] + ' / ' + p['b']:<{width}}  {p['both']:>6}  "
                       f"{_figure(p['percent'], True):>7}  {_figure(p['kappa']):>6}")
    disputed = [r for r in data["reasons"] if r["disputed"]][:top]
    if disputed:
        out.append("")
        out.append("reject reasons met by another decision (accepted / other reason / used):")
        for r in disputed:
            out.append(f"  {r['disputed']:>4}  {r['reason']}  ({r['against_accept']} / "
                       f"{r['against_other_reason']} / {r['used']})")
    return out


def run(args: argparse.Namespace) -> int:
    if args.top < 0:
        raise ConfigError(f"--top must be 0 or more, not {args.top}.")
    store = open_store(args)
    data = compute(store, settings_from(args).adjudicators)
    if args.json:
        print_json(data)
        return 0
    for line in lines(data, args.top):
        print(safe(line))
    if len(data["annotators"]) < 2:
        print("(agreement needs decisions of two annotators or more on the same proposals)")
    return 0
