"""Datasets crawled per second against a loopback Hub (listing + card + a few rows each), with
the default concurrency beside a sequential crawl measured in the same run.

    .venv/bin/python bench/crawl.py [--datasets 80] [--runs 3] [--latency 0.02]

Every generated dataset passes the listing's checks, so each one is opened (info, card, data
file resolution, rows): the per-dataset cost of a real crawl. --latency adds that many seconds
to every Hub answer (a real Hub is tens of ms away; 0 measures CPU alone). Each run uses a fresh
workspace and HF cache, so nothing is served from an earlier run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from hubfleet import make_fleet, serve  # noqa: E402
from hubserver import HubServer  # noqa: E402


def one_run(hub: HubServer, base: Path, name: str, concurrency: int) -> tuple[float, int]:
    from huggingface_hub import HfFileSystem

    from dynotui.config import load_settings
    from dynotui.core.growth.crawl import crawl
    from dynotui.core.store import Store

    HfFileSystem.clear_instance_cache()
    os.environ.update(hub.env(base / f"hf-{name}"))
    settings = load_settings(workspace=base / f"ws-{name}")
    started = time.perf_counter()
    report = crawl(Store(settings.workspace), settings, concurrency=concurrency)
    seconds = time.perf_counter() - started
    assert report.finished and not report.error, report
    return seconds, report.seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=80)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.02,
                        help="seconds added to every Hub answer (default 0.02)")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="default: dynotui's default (8)")
    args = parser.parse_args()
    from dynotui.core.growth.crawl import CONCURRENCY

    concurrency = args.concurrency or CONCURRENCY
    fleet = make_fleet(args.datasets, seed=3, ok_weight=10**6)  # all pass: each is opened
    base = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    with HubServer(page_size=100) as hub:
        serve(hub, fleet)
        if args.latency:
            hub.fault(r".", delay=args.latency)  # a pure delay, then the normal answer
        one_run(hub, base, "warmup", concurrency)  # imports datasets, fills nothing shared
        rates: dict[str, list[float]] = {"concurrent": [], "sequential": []}
        for run in range(args.runs):
            for label, n in (("concurrent", concurrency), ("sequential", 1)):
                seconds, seen = one_run(hub, base, f"{label}-{run}", n)
                rates[label].append(seen / seconds)
                print(f"  run {run + 1} {label:<10} {seen} datasets in {seconds:6.2f} s "
                      f"= {seen / seconds:6.1f} datasets/s", flush=True)
    conc, seq = statistics.median(rates["concurrent"]), statistics.median(rates["sequential"])
    print(f"\ncrawl, {args.datasets} datasets, Hub latency {args.latency * 1000:.0f} ms, "
          f"{os.cpu_count()} cores")
    print(f"  concurrency {concurrency}: {conc:6.1f} datasets/s (median of {args.runs})")
    print(f"  sequential baseline: {seq:6.1f} datasets/s (median of {args.runs})")
    print(f"  speed-up: {conc / seq:.2f}x")


if __name__ == "__main__":
    main()
