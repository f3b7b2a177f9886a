"""`dynotui show hub:ORG/NAME --config C` on a loopback Hub with a fresh cache: seconds and requests.

    python bench/hub_show.py --runs 5

Baseline in the same run: a process that imports huggingface_hub and asks `dataset_info` once
(the least any Hub metadata read costs). Also timed in the same run: the same `show` through
`datasets`' module factory and streaming (DYNOTUI_HUB_DIRECT=0, the path before the direct
read). Prints medians, ratios, requests per path and the load average.
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
BARE = ("from dynotui.core.sources import load_meta, parse_ref; "
        "load_meta(parse_ref('hub:acme/tickets', config='replies'), rows=100)")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return took


def kinds(paths: list[str]) -> Counter:
    return Counter(p.split("/resolve/")[0] + ("/resolve/…" if "/resolve/" in p else "")
                   for p in paths)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"show": [], "datasets": [], "base": [], "bare": []}
    counts: dict[str, list[str]] = {}
    loads = [os.getloadavg()[0]]
    # As an installed package runs: bytecode cached (the warm-up round writes it, outside the
    # checkout); with PYTHONDONTWRITEBYTECODE set every start would compile our modules.
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with HubServer() as hub, tempfile.TemporaryDirectory() as pyc:
        hub.add_folder("acme/tickets", ROOT / "dynotui" / "samples" / "support-tickets")
        for run in range(args.runs + 1):
            for what in times:
                with tempfile.TemporaryDirectory() as home:
                    env = {**base_env, **hub.env(home), "PYTHONPATH": str(ROOT),
                           "PYTHONPYCACHEPREFIX": pyc,
                           "DYNOTUI_HUB_DIRECT": "0" if what == "datasets" else "1"}
                    cmd = [sys.executable, "-c", BASELINE if what == "base" else BARE] \
                        if what in ("base", "bare") else \
                        [sys.executable, "-m", "dynotui", "--workspace", str(Path(home) / "ws"),
                         "show", "hub:acme/tickets", "--config", "replies", "--json"]
                    before = len(hub.requests)
                    took = timed(cmd, env)
                    counts[what] = hub.paths()[before:]
                    if run:  # round 0 warms the bytecode and file caches
                        times[what].append(took)
            loads.append(os.getloadavg()[0])
    show, through, base, bare = (statistics.median(times[k])
                                 for k in ("show", "datasets", "base", "bare"))
    print(f"load average {min(loads):.2f}-{max(loads):.2f} over the runs")
    print(f"show (fresh cache)          median {show:.2f} s (min {min(times['show']):.2f}, "
          f"max {max(times['show']):.2f}), {len(counts['show'])} requests")
    print(f"baseline dataset_info       median {base:.2f} s, {len(counts['base'])} request(s)")
    print(f"same show through datasets  median {through:.2f} s, {len(counts['datasets'])} "
          "requests (DYNOTUI_HUB_DIRECT=0)")
    print(f"load_meta alone (no CLI)    median {bare:.2f} s ({bare / base:.2f}x the baseline; "
          f"the CLI adds {show - bare:.2f} s)")
    print(f"ratio show / baseline {show / base:.2f}x; show / through datasets "
          f"{show / through:.2f}x")
    for what in ("show", "datasets"):
        print(f"requests of {what}:")
        for path, n in kinds(counts[what]).most_common():
            print(f"  {n:3d}  {path}")


if __name__ == "__main__":
    main()
