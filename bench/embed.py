"""Embed the released Dynosaur task list in a fresh workspace; time it, then again from the cache.

    .venv/bin/python bench/embed.py [--diverse K] [--max-per-dataset N] [--seed S]

Prints: model import+load time; time to embed every instruction (goal <= 30 s on 2 cores) beside
a baseline measured in the same run (plain SentenceTransformer.encode of a random sample, no
dedupe, no cache: texts/s); a second run served by the cache; the near-duplicate groups
(count, sizes, the 5 largest); with --diverse, the mean pairwise cosine distance of the K
chosen tasks beside K chosen at random with the same seed. Load average is printed: these
machines are shared, so compare the ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dynosaur-instructions-full.json"


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", default=str(SHARED), help="task list to import")
    parser.add_argument("--diverse", type=int, metavar="K", help="choose K diverse tasks")
    parser.add_argument("--max-per-dataset", type=int, metavar="N", help="cap per dataset config")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-sample", type=int, default=1000, metavar="N",
                        help="texts in the plain-encode baseline (default 1000)")
    parser.add_argument("--threshold", type=float, default=0.9, help="near-duplicate cosine")
    args = parser.parse_args()

    from dynotui.core.embed import cache as cache_mod
    from dynotui.core.embed import mean_pairwise_distance, near_duplicate_groups, select_diverse
    from dynotui.core.embed.model import BATCH_SIZE, load_model
    from dynotui.core.embed.select import random_pick
    from dynotui.core.embed.workspace import embed_workspace
    from dynotui.core.store import Store
    from dynotui.core.generation.tasklist import import_tasks

    with tempfile.TemporaryDirectory(prefix="dynotui-bench-embed-") as tmp:
        store = Store(tmp, annotator="bench")
        t0 = time.perf_counter()
        report = import_tasks(store, args.file)
        print(f"imported {report.imported} tasks in {time.perf_counter() - t0:.1f} s "
              f"(load average {load()})")

        t0 = time.perf_counter()
        model = load_model(None)
        loaded = time.perf_counter() - t0
        print(f"model import + load: {loaded:.1f} s")

        t0 = time.perf_counter()
        props, vectors, first = embed_workspace(store)
        embed_s = time.perf_counter() - t0
        rate = first.computed / embed_s
        verdict = "OK" if embed_s + loaded <= 30 else "OVER the 30 s goal"
        print(f"first run:  {first.texts} tasks, {first.unique} distinct instructions embedded "
              f"in {embed_s:.1f} s ({rate:.0f} texts/s); with model load {embed_s + loaded:.1f} s "
              f"[{verdict}] (load average {load()})")

        sample = random.Random(args.seed).sample([p.task.instruction for p in props],
                                                 min(args.baseline_sample, len(props)))
        t0 = time.perf_counter()
        model.encode(sample, normalize_embeddings=True, show_progress_bar=False)
        base_s = time.perf_counter() - t0
        base_rate = len(sample) / base_s
        print(f"baseline:   plain encode of {len(sample)} random tasks (no dedupe, no cache, "
              f"batch 32, float32): {base_s:.1f} s ({base_rate:.0f} texts/s); whole list at that rate "
              f"~{len(props) / base_rate:.1f} s -> ours {len(props) / base_rate / embed_s:.2f}x "
              f"(batch {BATCH_SIZE}, dedupe, length-sorted, bf16 where the CPU has it)")

        cache_mod._caches.clear()  # the second run reads the cache from disk
        t0 = time.perf_counter()
        _, again, second = embed_workspace(store)
        cached_s = time.perf_counter() - t0
        same = bool((again == vectors).all())
        print(f"second run: {second.computed} embedded, {second.cached} from the cache in "
              f"{cached_s:.2f} s ({embed_s / max(cached_s, 1e-9):.0f}x faster; identical vectors: {same})")

        t0 = time.perf_counter()
        groups = near_duplicate_groups(store, args.threshold)
        group_s = time.perf_counter() - t0
        stats = groups.stats()
        exact = Counter(p.task.instruction.strip() for p in props)
        print(f"\nnear-duplicate groups (cosine >= {args.threshold}) in {group_s:.1f} s: "
              f"{stats['groups']} groups holding {stats['proposals']} of {stats['of']} tasks "
              f"(exact repeats alone: {sum(1 for n in exact.values() if n > 1)} strings, "
              f"{sum(n for n in exact.values() if n > 1)} tasks)")
        print("sizes (size x count): " + ", ".join(f"{s}x{n}" for s, n in stats["sizes"].items()))
        texts = {p.id: p.task.instruction for p in props}
        for n, g in enumerate(groups.groups[:5], 1):
            distinct = Counter(texts[pid] for pid in g)
            print(f"  #{n}: {len(g)} tasks, {len(distinct)} distinct; most common: "
                  f"{distinct.most_common(1)[0][0]!r}")

        if args.diverse:
            k = args.diverse
            t0 = time.perf_counter()
            chosen = select_diverse(props, k, seed=args.seed, max_per_dataset=args.max_per_dataset,
                                    workspace=store.workspace, vectors=vectors)
            pick_s = time.perf_counter() - t0
            ids = {p.id for p in chosen}
            rows = [i for i, p in enumerate(props) if p.id in ids]
            rand = random_pick(len(props), k, args.seed)
            ours, base = mean_pairwise_distance(vectors[rows]), mean_pairwise_distance(vectors[rand])
            cap = f", max {args.max_per_dataset} per dataset config" if args.max_per_dataset else ""
            print(f"\n--diverse {k}{cap} (seed {args.seed}): mean pairwise cosine distance "
                  f"{ours:.4f} vs {base:.4f} for {k} random tasks ({ours / base:.2f}x); "
                  f"chosen in {pick_s:.2f} s; datasets covered {len({props[i].dataset for i in rows})} "
                  f"vs {len({props[i].dataset for i in rand})}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
