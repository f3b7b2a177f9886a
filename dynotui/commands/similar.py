"""`dynotui similar TEXT [--k 5] [--json]`: the workspace's instructions closest to TEXT.

`--groups` lists the near-duplicate groups instead. Needs the `embeddings` extra; the first
run embeds every stored instruction (cached in WORKSPACE/embeddings/), later runs only new ones.
"""

from __future__ import annotations

import argparse
import sys

from dynotui.commands._util import counter, open_store, print_json, safe, settings_from
from dynotui.core.errors import ConfigError


def register(sub, common) -> None:
    parser = sub.add_parser(
        "similar", parents=[common], help="instructions in the workspace similar to a text",
        description="Print the stored instructions most similar to TEXT (cosine of "
                    "sentence-transformers embeddings) with their dataset and status. TEXT may "
                    "be '-' to read stdin, or a proposal id (prefix) with --id. --groups lists "
                    "the near-duplicate groups of the whole workspace.")
    parser.add_argument("text", nargs="?", metavar="TEXT", help="an instruction, or '-' for stdin")
    parser.add_argument("--k", type=int, default=5, metavar="N", help="how many (default 5)")
    parser.add_argument("--id", action="store_true",
                        help="TEXT is a proposal id or id prefix: find its neighbours")
    parser.add_argument("--groups", action="store_true", help="list near-duplicate groups")
    parser.add_argument("--threshold", type=float, metavar="COS",
                        help="near-duplicate cosine (default: the near_duplicate setting, 0.9)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def _progress(done: int, total: int) -> None:
    counter(f"embedding {done}/{total}", done >= total)


def _groups(store, settings, args) -> int:
    # deferred: numpy; cli.py imports every command
    from dynotui.core.embed import near_duplicate_groups

    groups = near_duplicate_groups(store, args.threshold, settings=settings, on_progress=_progress)
    props = {p.id: p for p in store.proposals()}
    shown = groups.groups[:args.k] if args.k > 0 else groups.groups
    if args.json:
        print_json({**groups.stats(), "list": [
            {"size": len(g), "ids": g,
             "instructions": sorted({props[pid].task.instruction for pid in g if pid in props})}
            for g in shown]})
        return 0
    stats = groups.stats()
    print(f"{stats['proposals']} of {stats['of']} proposals in {stats['groups']} near-duplicate "
          f"groups (cosine >= {stats['threshold']}, {safe(stats['model'])})")
    print("sizes: " + ", ".join(f"{size}x{count}" for size, count in stats["sizes"].items()))
    for n, g in enumerate(shown, 1):
        texts = sorted({props[pid].task.instruction for pid in g if pid in props})
        print(f"\n#{n}  {len(g)} proposals, {len(texts)} distinct instructions")
        for text in texts[:3]:
            print(f"  {safe(text, 160)}")
        if len(texts) > 3:
            print(f"  … {len(texts) - 3} more")
    return 0


def run(args: argparse.Namespace) -> int:
    # deferred: numpy; cli.py imports every command
    from dynotui.core.embed.workspace import settings_threshold

    settings = settings_from(args)
    if args.threshold is not None:
        settings_threshold(threshold=args.threshold)
    store = open_store(args)
    if args.groups:
        return _groups(store, settings, args)
    if not args.text:
        raise ConfigError("No TEXT given.", "Usage: dynotui similar 'an instruction' [--k 5], "
                                            "or dynotui similar --groups.")
    if args.k < 1:
        raise ConfigError(f"--k must be at least 1 (got {args.k}).")
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise ConfigError("TEXT is empty.", "Give an instruction to compare against the workspace.")
    # deferred: numpy; cli.py imports every command
    from dynotui.core.embed import near_duplicate_warning, similar

    exclude: list[str] = []
    if args.id:
        prop = store.find(text.strip())
        text, exclude = prop.task.instruction, [prop.id]
    hits = similar(store, text, args.k, settings, exclude=exclude)
    warning = near_duplicate_warning(hits, args.threshold, settings)
    if args.json:
        print_json({"text": text, "similar": [h.to_dict() for h in hits], "warning": warning})
        return 0
    if not hits:
        print(f"No proposals in {store.workspace} yet.")
        return 0
    for h in hits:
        print(f"{h.score:.3f}  {h.status:<9}  {h.id[:12]}  {safe(h.dataset)}")
        print(f"       {safe(h.instruction, 300)}")
    if warning:
        print(f"warning: {safe(warning)}")
    return 0
