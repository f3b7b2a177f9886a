"""Time until a decision is durable, with 50k proposals in the workspace (goal: p95 <= 15 ms).

Baseline measured in the same run on the same documents: TinyDB's default JSONStorage, one
file holding the 50k proposals and the decisions, one `insert` per decision (it rewrites the
whole file and does not even fsync). Also shown: our events written by atomic replace
(temp + fsync + rename + folder fsync of a 500-event file) instead of append + fdatasync.

    .venv/bin/python bench/store.py [--proposals 50000] [--decisions 300] [--baseline 30]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dynotui.core.models import Decision, Proposal, Task  # noqa: E402
from dynotui.core.store import Store  # noqa: E402
from dynotui.core.durable import atomic_write  # noqa: E402
from dynotui.core.store.files import dumps  # noqa: E402


def make_props(n: int, per_dataset: int = 100) -> list[Proposal]:
    return [Proposal(dataset=f"hub:org/dataset{i // per_dataset}", config="default",
                     task=Task(f"Read the review and decide whether the writer liked the product "
                               f"(variant {i}).", ["review_title", "review_body"], "stars"),
                     variant="aware" if i % 2 else "unaware", model="gpt-3.5-turbo",
                     prompt_version="1", tokens_in=420, tokens_out=90, cost_usd=0.0003,
                     created=1.7e9 + i) for i in range(n)]


def summary(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"median {statistics.median(ms):7.2f} ms  p95 {p95:7.2f} ms  max {ms[-1]:7.2f} ms  (n={len(ms)})"


def p95(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]


def bench_ours(root: Path, props: list[Proposal], n: int) -> tuple[list[float], dict]:
    ws = root / "ours"
    info = {}
    t = time.perf_counter()
    Store(ws, annotator="setup").add_proposals(props)
    info["add 50k (s)"] = time.perf_counter() - t
    t = time.perf_counter()
    store = Store(ws, annotator="bench", session="bench")
    queue = store.undecided()
    info["open + undecided queue (s)"] = time.perf_counter() - t
    assert len(queue) == len(props)
    times = []
    actions = ["accept", "reject", "skip", "accept"]
    for i, prop in enumerate(queue[:n]):
        t = time.perf_counter()
        store.decide(prop.id, actions[i % 4], reason="vague" if i % 4 == 1 else "", seconds=3.2)
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    assert len(Store(ws, annotator="bench").undecided()) == len(props) - n
    info["reopen + queue after decisions (s)"] = time.perf_counter() - t
    return times, info


def bench_replace(root: Path, n: int) -> list[float]:
    """The same event documents, but each write replaces a 500-event file atomically."""
    path = root / "replace.json"
    events: dict[str, dict] = {}
    times = []
    for i in range(n):
        ev = Decision("abcdef0123456789", "accept", "bench", "bench", ts=time.time(), seconds=3.2,
                      dataset="hub:org/dataset1", id=f"{i:x}-00000000").to_dict()
        t = time.perf_counter()
        events[str(len(events) % 500 + 1)] = ev
        atomic_write(path, dumps({"events": events}))
        times.append((time.perf_counter() - t) * 1000)
    return times


def bench_tinydb_default(root: Path, props: list[Proposal], n: int) -> list[float]:
    from tinydb import TinyDB

    path = root / "tinydb-default.json"
    path.write_text(json.dumps({"proposals": {str(i): p.to_dict() for i, p in enumerate(props, 1)}}))
    db = TinyDB(path)  # default JSONStorage: whole-file rewrite, no fsync
    decisions = db.table("decisions")
    times = []
    for i, prop in enumerate(props[:n]):
        doc = Decision(prop.id, "accept", "bench", "bench", ts=time.time(), seconds=3.2,
                       dataset=prop.dataset, id=f"{i:x}").to_dict()
        t = time.perf_counter()
        decisions.insert(doc)
        times.append((time.perf_counter() - t) * 1000)
    db.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--baseline", type=int, default=20)
    parser.add_argument("--dir", help="folder for the workspaces (default: a temp folder)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="dynotui-bench-store-", dir=args.dir))
    try:
        props = make_props(args.proposals)
        ours, info = bench_ours(root, props, args.decisions)
        replace = bench_replace(root, args.decisions)
        base = bench_tinydb_default(root, props, args.baseline)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{args.proposals} proposals stored; time until decide() returns with the event on disk")
    print(f"  dynotui Store (append + fdatasync)   {summary(ours)}")
    print(f"  events by atomic replace (500/file)  {summary(replace)}")
    print(f"  TinyDB default JSONStorage, insert   {summary(base)}   (no fsync at all)")
    print(f"  ratio TinyDB default / dynotui: median {statistics.median(base) / statistics.median(ours):.0f}x, "
          f"p95 {p95(base) / p95(ours):.0f}x")
    goal = p95(ours) <= 15.0
    print(f"  goal p95 <= 15 ms: {'met' if goal else 'NOT met'} ({p95(ours):.2f} ms)")
    for key, value in info.items():
        print(f"  {key:36s} {value:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
