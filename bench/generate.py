"""Generation for 1,000 datasets against a loopback server that answers after 1 s (goal <= 90 s).

The figure: wall time of run_generation (both prompt variants, validation, real Store writes)
with the default concurrency. The baseline, measured in the same run: a few sequential calls
through the same client, extrapolated to the same number of calls; printed as a ratio.

    .venv/bin/python bench/generate.py [--datasets 1000] [--latency 1.0] [--variants both]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from llmserver import LLMServer  # noqa: E402

from dynotui.config import load_settings  # noqa: E402
from dynotui.core.generation.run import run_generation  # noqa: E402
from dynotui.core.llm.openai_compat import OpenAICompatClient  # noqa: E402
from dynotui.core.models import DatasetMeta, DatasetRef, Feature  # noqa: E402
from dynotui.core.generation.prompts import VARIANTS, build_prompt, prompt_fields, response_schema  # noqa: E402

SHAPES = [
    (["question", "context", "answer"], None),
    (["sentence", "label"], ["negative", "neutral", "positive"]),
    (["premise", "hypothesis", "label"], ["entailment", "neutral", "contradiction"]),
    (["title", "body", "topic"], ["world", "sports", "business", "science"]),
    (["source", "target"], None),
]


def make_metas(n: int) -> list[DatasetMeta]:
    """n distinct small datasets of a few common shapes, each with 20 sample rows."""
    metas = []
    for i in range(n):
        names, labels = SHAPES[i % len(SHAPES)]
        features = [Feature(f, "ClassLabel", label_names=labels) if labels and f == "label" or
                    (labels and f == "topic") else Feature(f, "string") for f in names]
        rows = [{f: (labels[(i + j) % len(labels)] if labels and f in ("label", "topic")
                     else f"{f} text {i}-{j} " * 3) for f in names} for j in range(20)]
        metas.append(DatasetMeta(ref=DatasetRef("hub", f"bench/dataset-{i:04d}"),
                                 name=f"dataset-{i:04d}", summary=f"Benchmark dataset {i}.",
                                 license=["mit"], features=features, rows={"train": rows},
                                 revision=f"rev{i}"))
    return metas


async def sequential(settings, metas: list[DatasetMeta], calls: int) -> list[float]:
    """Seconds per call, one call at a time, same client class and prompts."""
    client = OpenAICompatClient(settings.llm)
    times = []
    try:
        for meta in metas[:calls]:
            start = time.monotonic()
            await client.complete(build_prompt(meta, "aware"),
                                  response_schema([f.name for f in prompt_fields(meta)]))
            times.append(time.monotonic() - start)
    finally:
        await client.aclose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--variants", default="both", choices=("both", "aware", "unaware"))
    parser.add_argument("--sample", type=int, default=5, help="sequential calls for the baseline")
    args = parser.parse_args()
    variants = VARIANTS if args.variants == "both" else (args.variants,)
    metas = make_metas(args.datasets)
    with tempfile.TemporaryDirectory() as tmp, LLMServer(latency=args.latency,
                                                         refuse_json_schema=True) as server:
        settings = load_settings(workspace=Path(tmp) / "ws", model="bench-model")
        settings.llm.base_url = server.base_url
        per_call = asyncio.run(sequential(settings, metas, args.sample))
        from dynotui.core.store import Store

        store = Store(settings.workspace)
        start = time.monotonic()
        report = asyncio.run(run_generation(metas, store, settings, variants=variants))
        wall = time.monotonic() - start
        stored = store.count_proposals()
    calls = report.count("done")
    seq = statistics.median(per_call) * calls
    print(f"generation: {len(metas):,} datasets x {len(variants)} variant(s) = {calls:,} calls "
          f"(failed {report.count('failed')}), {stored:,} proposals stored, "
          f"concurrency {settings.llm.concurrency}, server latency {args.latency:g} s")
    print(f"  wall time             {wall:8.1f} s   (goal <= 90 s: {'met' if wall <= 90 else 'NOT met'})")
    print(f"  sequential baseline   {seq:8.1f} s   ({args.sample} calls measured, median "
          f"{statistics.median(per_call):.3f} s/call, extrapolated)")
    print(f"  ratio wall/sequential {wall / seq:8.3f}   (speed-up x{seq / wall:.1f}; "
          f"ideal x{min(settings.llm.concurrency, calls)})")


if __name__ == "__main__":
    main()
