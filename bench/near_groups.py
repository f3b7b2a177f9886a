"""Near-duplicate groups at scale: the released instructions, then 50k proposals.

    python bench/near_groups.py [--size 50000] [--baseline 10000] [--repeat 3] [--vectors F.npy]

Embeds the 5,740 released Dynosaur instructions (all-MiniLM-L6-v2; --vectors keeps them in a
.npy file for the next run), then
1. on them: groups as union-find made them (connected components of all close pairs) beside the
   groups around centres, and whether the clustered pair search (pairs.py) gives the same groups
   as scoring all pairs;
2. grows them to --size vectors (each a released one plus noise, like re-worded proposals) and
   times the grouping of all of them (also with the workspace's check for direction-swapped
   tasks, each row standing for its released task), beside all-pairs scoring of the first
   --baseline rows in the same run (all-pairs grows with the square: x (size/baseline)^2
   estimates it at --size).
Medians of --repeat runs, CPU seconds beside wall seconds, and the load average: these
machines are shared, so compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from shareddata import release_file  # noqa: E402

from dynotui.core.embed.groups import near_groups, spread  # noqa: E402
from dynotui.core.embed.pairs import all_pairs, close_pair_arrays  # noqa: E402
from dynotui.core.embed.workspace import apart_rule  # noqa: E402
from dynotui.core.models import Task  # noqa: E402

released_tasks = json.loads(release_file().read_text())


def union_find_largest(n: int, i: np.ndarray, j: np.ndarray) -> list[int]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not len(i):
        return []
    _, labels = connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)),
                                     directed=False)
    top = np.bincount(labels).argmax()
    return np.nonzero(labels == top)[0].tolist()


def released(vectors_file: str | None) -> tuple[list[str], np.ndarray]:
    texts = [x["instruction"] for x in released_tasks]
    if vectors_file and Path(vectors_file).is_file():
        vectors = np.load(vectors_file)
        if len(vectors) == len(texts):
            print(f"read {len(texts)} released instructions' vectors from {vectors_file}")
            return texts, vectors
    from dynotui.core.embed.model import encode, load_model

    started = time.perf_counter()
    vectors = np.asarray(encode(load_model(None), texts), dtype=np.float32)
    print(f"embedded {len(texts)} released instructions in {time.perf_counter() - started:.1f} s")
    if vectors_file:
        np.save(vectors_file, vectors)
    return texts, vectors


def timed(run, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `repeat` runs, and the last result."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vectors", help="a .npy file to keep the released vectors in")
    args = parser.parse_args()
    t = args.threshold
    texts, vectors = released(args.vectors)
    i, j = all_pairs(vectors, t)
    chained = union_find_largest(len(texts), i, j)
    exact = near_groups(vectors, t, same=texts, clustered=False)
    fast = near_groups(vectors, t, same=texts, clustered=True)
    print(f"released tasks at cosine >= {t}:")
    if chained:
        low = float((vectors[chained] @ vectors[chained].T).min())
        print(f"  union-find (before): largest group {len(chained)} tasks, "
              f"{len({texts[i] for i in chained})} distinct texts, lowest pairwise cosine {low:.3f}")
    if exact:
        g = exact[0]
        low = float((vectors[g] @ vectors[g].T).min())
        print(f"  around centres (now): largest group {len(g)} tasks, {len({texts[i] for i in g})} "
              f"distinct texts, lowest cosine to centre {spread(vectors, g):.3f}, "
              f"lowest pairwise {low:.3f}; {len(exact)} groups")
    same = sum(g in exact for g in fast)
    print(f"  clustered pair search vs all pairs: {len(fast)} and {len(exact)} groups, "
          f"{same} identical, equal: {fast == exact}")

    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(vectors), args.size)
    grown = vectors[picks] + rng.normal(scale=0.01, size=(args.size, vectors.shape[1]))
    grown = (grown / np.linalg.norm(grown, axis=1, keepdims=True)).astype(np.float32)
    sub = grown[:args.baseline]
    wall, cpu, big = timed(lambda: near_groups(grown, t), args.repeat)
    print(f"{args.size} proposals, groups: {wall:.1f} s wall, {cpu:.1f} s CPU (median of "
          f"{args.repeat}), {len(big)} groups, largest {len(big[0])} ({load()})")
    tasks = [Task.from_dict(released_tasks[k]) for k in picks.tolist()]
    aw, ac, _ = timed(lambda: near_groups(grown, t, apart=apart_rule(tasks)), args.repeat)
    print(f"  with the workspace's check for direction-swapped tasks (apart_rule): {aw:.1f} s "
          f"wall, {ac:.1f} s CPU")
    pw, pc, pairs = timed(lambda: close_pair_arrays(grown, t), args.repeat)
    print(f"  of which the close-pair search: {pw:.1f} s wall, {pc:.1f} s CPU, "
          f"{len(pairs[0])} pairs")
    bw, bc, theirs = timed(lambda: all_pairs(sub, t), args.repeat)
    ow, oc, mine = timed(lambda: close_pair_arrays(sub, t, clustered=True), args.repeat)
    same = set(zip(*map(np.ndarray.tolist, mine))) == set(zip(*map(np.ndarray.tolist, theirs)))
    scale = (args.size / args.baseline) ** 2
    print(f"{args.baseline} rows, close pairs: all-pairs {bw:.2f} s wall / {bc:.2f} s CPU, "
          f"clustered {ow:.2f} s / {oc:.2f} s ({bw / ow:.1f}x wall), same pairs: {same} "
          f"({len(theirs[0])}) ({load()})")
    print(f"all-pairs at {args.size} estimated x{scale:.0f}: {bw * scale:.0f} s wall / "
          f"{bc * scale:.0f} s CPU; the clustered search takes {pw / (bw * scale):.2f} of it "
          f"(wall), {pc / (bc * scale):.2f} (CPU)")


if __name__ == "__main__":
    main()
