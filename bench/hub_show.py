"""`dynotui show hub:ORG/NAME --config C` on a loopback Hub with a fresh cache: seconds and requests.

    python bench/hub_show.py --runs 5

Baseline in the same run: a process that imports huggingface_hub and asks `dataset_info` once
(the least any Hub metadata read costs). Prints medians, the ratio and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from hubserver import HubServer  # noqa: E402

BASELINE = ("from huggingface_hub import HfApi; import os; "
            "HfApi(endpoint=os.environ['HF_ENDPOINT']).dataset_info('acme/tickets')")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    show, base, counts = [], [], []
    with HubServer() as hub:
        hub.add_folder("acme/tickets", ROOT / "dynotui" / "samples" / "support-tickets")
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as home:
                env = {**os.environ, **hub.env(home), "PYTHONPATH": str(ROOT)}
                base.append(timed([sys.executable, "-c", BASELINE], env))
            with tempfile.TemporaryDirectory() as home:
                env = {**os.environ, **hub.env(home), "PYTHONPATH": str(ROOT)}
                before = len(hub.requests)
                show.append(timed([sys.executable, "-m", "dynotui", "--workspace",
                                   str(Path(home) / "ws"), "show", "hub:acme/tickets",
                                   "--config", "replies", "--json"], env))
                counts.append(hub.paths()[before:])
    kinds = Counter(p.split("/resolve/")[0] + ("/resolve/…" if "/resolve/" in p else "")
                    for p in counts[-1])
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"show (fresh cache)    median {statistics.median(show):.2f} s  "
          f"(min {min(show):.2f}, max {max(show):.2f}), {len(counts[-1])} requests")
    print(f"baseline dataset_info median {statistics.median(base):.2f} s")
    print(f"ratio {statistics.median(show) / statistics.median(base):.2f}x")
    for path, n in kinds.most_common():
        print(f"  {n:3d}  {path}")


if __name__ == "__main__":
    main()
