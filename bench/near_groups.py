"""Near-duplicate groups at scale: the released instructions, then 50k proposals.

    python bench/near_groups.py [--size 50000] [--baseline 10000]

Embeds the 5,740 released Dynosaur instructions (all-MiniLM-L6-v2), then
1. on them: groups as union-find made them (connected components of all close pairs) beside the
   groups around centres — the largest group's size, distinct texts and lowest pairwise cosine;
2. grows them to --size vectors (each a released one plus noise, like re-worded proposals) and
   times the grouping on all of them, and its close-pair search beside a plain all-pairs
   scoring on the first --baseline rows.
Prints the load average; these machines are shared, so compare the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from shareddata import release_file  # noqa: E402

from dynotui.core.embed.groups import close_pairs, near_groups, spread  # noqa: E402


def all_pairs(vectors: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The previous way: every pair scored, block by block over the upper triangle."""
    n, out = len(vectors), []
    block = max(16, 8_000_000 // n)
    for start in range(0, n, block):
        scores = vectors[start:start + block] @ vectors[start:].T
        rows, cols = np.nonzero(scores >= threshold)
        out += [(start + r, start + c) for r, c in zip(rows.tolist(), cols.tolist())
                if start + r < start + c]
    return out


def union_find_largest(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if not pairs:
        return []
    i, j = np.array(pairs).T
    _, labels = connected_components(coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)),
                                     directed=False)
    top = np.bincount(labels).argmax()
    return np.nonzero(labels == top)[0].tolist()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    args = parser.parse_args()
    t = args.threshold
    tasks = json.loads(release_file().read_text())
    texts = [x["instruction"] for x in tasks]
    from dynotui.core.embed.model import encode, load_model

    started = time.perf_counter()
    vectors = np.asarray(encode(load_model(None), texts), dtype=np.float32)
    print(f"embedded {len(texts)} released instructions in {time.perf_counter() - started:.1f} s")
    keys = texts
    pairs = [(i, j) for i, j, _ in close_pairs(vectors, t)]
    chained = union_find_largest(len(texts), pairs)
    groups = near_groups(vectors, t, same=keys)
    print(f"released tasks at cosine >= {t}:")
    if chained:
        low = float((vectors[chained] @ vectors[chained].T).min())
        print(f"  union-find (before): largest group {len(chained)} tasks, "
              f"{len({texts[i] for i in chained})} distinct texts, lowest pairwise cosine {low:.3f}")
    if groups:
        g = groups[0]
        low = float((vectors[g] @ vectors[g].T).min())
        print(f"  around centres (now): largest group {len(g)} tasks, {len({texts[i] for i in g})} "
              f"distinct texts, lowest cosine to centre {spread(vectors, g):.3f}, "
              f"lowest pairwise {low:.3f}; {len(groups)} groups")
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(vectors), args.size)
    grown = vectors[picks] + rng.normal(scale=0.01, size=(args.size, vectors.shape[1]))
    grown = (grown / np.linalg.norm(grown, axis=1, keepdims=True)).astype(np.float32)
    started = time.perf_counter()
    big = near_groups(grown, t)
    ours_all = time.perf_counter() - started
    print(f"{args.size} proposals: {ours_all:.1f} s, {len(big)} groups, largest {len(big[0])} "
          f"(load average {os.getloadavg()[0]:.2f})")
    sub = grown[:args.baseline]
    started = time.perf_counter()
    mine = {(i, j) for i, j, _ in close_pairs(sub, t)}
    ours = time.perf_counter() - started
    started = time.perf_counter()
    theirs = set(all_pairs(sub, t))
    base = time.perf_counter() - started
    print(f"{args.baseline} rows, close pairs: ours {ours:.2f} s, all-pairs {base:.2f} s "
          f"({base / ours:.1f}x), same pairs: {mine == theirs} ({len(mine)}) "
          f"(load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
