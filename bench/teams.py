"""Teams at scale: agreement over a big workspace, and a sync round through the loopback Hub.

    python bench/teams.py --proposals 20000 --runs 3

A workspace of N proposals over 200 datasets; three annotators each decide 60% of them
(overlapping, 1 in 4 decisions differs). Prints medians of:
  agreement   core.team.agreement.compute  vs baseline core.stats.compute (same workspace)
  sync        alice's first push, bob's pull, an idle re-sync  vs baseline: the same files
              written once with one create_commit through the same client (no merge logic)
with the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from hubserver import HubServer  # noqa: E402

from dynotui.core.models import Proposal, Task  # noqa: E402
from dynotui.core.store import Store  # noqa: E402


def build(ws: Path, n: int) -> list[str]:
    rng = random.Random(0)
    with Store(ws, annotator="seed") as store:
        store.add_proposals([Proposal(f"sample:ds{i % 200}", Task(f"Task {i}: say it.", ["text"],
                                                                     "label")) for i in range(n)])
        ids = sorted(store.ids())
    truth = {pid: rng.random() < 0.6 for pid in ids}
    for who in ("alice", "bob", "carol"):
        with Store(ws, annotator=who) as store:
            mine = [pid for pid in ids if rng.random() < 0.6]
            acc = [p for p in mine if truth[p] != (rng.random() < 0.25)]
            rej = sorted(set(mine) - set(acc))
            for chunk in range(0, len(acc), 500):
                store.decide_many(acc[chunk:chunk + 500], "accept")
            for chunk in range(0, len(rej), 500):
                store.decide_many(rej[chunk:chunk + 500], "reject", reason="vague")
    return ids


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from dynotui.core.stats import compute as stats
    from dynotui.core.team import sync as team_sync
    from dynotui.core.team.agreement import compute as agreement

    tmp = Path(tempfile.mkdtemp(prefix="bench-teams-"))
    ws = tmp / "alice"
    build(ws, args.proposals)
    with Store(ws, annotator="alice") as store:
        events = len(store.events())
        t_agree = median_time(lambda: agreement(store), args.runs)
        t_stats = median_time(lambda: stats(store), args.runs)
    print(f"workspace: {args.proposals} proposals, {events} decision events")
    print(f"agreement {t_agree * 1000:.0f} ms  baseline stats {t_stats * 1000:.0f} ms  "
          f"ratio {t_agree / t_stats:.2f}  load {os.getloadavg()}")

    with HubServer(token="w", lifetime=3600) as hub:
        os.environ.update(hub.env(tmp / "hf"))
        os.environ["HF_TOKEN"] = "w"
        with Store(ws, annotator="alice") as store:
            started = time.perf_counter()
            first = team_sync.sync(store, "bench/teams")
            t_push = time.perf_counter() - started
            t_idle = median_time(lambda: team_sync.sync(store, "bench/teams"), args.runs)
            files = {**team_sync.own_decisions(store.workspace, "alice"),
                     **team_sync.own_datasets(store, team_sync.staging_dir(ws, "bench/teams"),
                                              "alice-x")}
        with Store(tmp / "bob", annotator="bob") as store:
            started = time.perf_counter()
            pulled = team_sync.sync(store, "bench/teams", push=False)
            t_pull = time.perf_counter() - started
        from huggingface_hub import CommitOperationAdd

        from dynotui.core.sources import hubclient

        api = hubclient.api()
        api.create_repo("bench/raw", repo_type="dataset", exist_ok=True)
        started = time.perf_counter()
        api.create_commit("bench/raw", [CommitOperationAdd(f"raw/{p}", d) for p, d in files.items()],
                          repo_type="dataset", commit_message="raw")
        t_raw = time.perf_counter() - started
    print(f"sync push {t_push:.2f} s ({first.pushed_files} files, {first.pushed_bytes:,} bytes) "
          f"baseline one raw create_commit of the same files {t_raw:.2f} s  ratio "
          f"{t_push / t_raw:.2f}")
    print(f"sync pull {t_pull:.2f} s ({pulled.pulled_files} files, {pulled.proposals} proposals); "
          f"idle re-sync median {t_idle:.2f} s  load {os.getloadavg()}")


if __name__ == "__main__":
    main()
