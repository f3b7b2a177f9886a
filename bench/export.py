"""Export benchmark: 800k instances (80 parquet datasets x 100 accepted tasks x 100 rows).

    .venv/bin/python bench/export.py [--datasets 80 --tasks 100 --rows 100] [--format jsonl]
                                     [--repeat 1] [--baseline-datasets 8] [--dir DIR]

Goal: wall time <= 60 s and peak memory <= 1.5 GB. Each run is a fresh subprocess that reports
its own RSS high-water mark (resource.getrusage). Baseline, measured in the same run: a plain
`datasets` pipeline (load_dataset + one batched Dataset.map per dataset applying all its tasks
with the same instance Builder + concatenate_datasets + to_json) on a slice of the datasets,
scaled per instance. Both children import `datasets` before starting their clock.
The workspace (datasets + store with accepted tasks) is built once and reused from --dir.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("river light market paper stone garden winter engine signal harbor violet record "
         "council pattern travel silver thunder method mirror planet forest number yellow "
         "window history science music letter").split()
LABELS = ["world", "sports", "business", "science"]
SHAPES = [(["text"], "label"), (["title", "text"], "label"), (["question", "choices"], "answer"),
          (["text"], "summary"), (["question"], "answer"), (["text"], "title"),
          (["summary"], "title"), (["title", "summary"], "label")]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_dataset(folder: Path, rows: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    cols = {"id": [], "title": [], "text": [], "question": [], "choices": [], "answer": [],
            "label": [], "summary": []}
    for i in range(rows):
        choices = [words(rng, 2) for _ in range(4)]
        cols["id"].append(f"{seed}-{i}")
        cols["title"].append(words(rng, 6).title())
        cols["text"].append(words(rng, rng.randint(40, 90)) + ".")
        cols["question"].append(f"Which {words(rng, 5)}?")
        cols["choices"].append(choices)
        cols["answer"].append(rng.choice(choices))
        cols["label"].append(rng.choice(LABELS))
        cols["summary"].append(words(rng, 12) + ".")
    (folder / "data").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), folder / "data" / "train-00000-of-00001.parquet")
    (folder / "README.md").write_text(f"---\nlicense: mit\nlanguage:\n- en\n---\n# bench {seed}\n")


def setup(base: Path, n_datasets: int, n_tasks: int, n_rows: int) -> Path:
    """Datasets + a store where every task is accepted through Store.decide (reused if there)."""
    from dynotui.core import sources
    from dynotui.core.models import Proposal, Task
    from dynotui.core.store import Store

    key = f"{n_datasets}x{n_tasks}x{n_rows}"
    ws = base / f"ws-{key}"
    if (base / f"ready-{key}").exists():
        return ws
    shutil.rmtree(ws, ignore_errors=True)
    started = time.perf_counter()
    store = Store(ws, annotator="bench")
    for d in range(n_datasets):
        folder = base / "data" / f"d{d:04d}"
        if _rows(folder) != n_rows:
            shutil.rmtree(folder, ignore_errors=True)
            make_dataset(folder, n_rows, d)
        meta = sources.load_meta(sources.parse_ref(f"local:{folder}"), rows=2)
        store.save_meta(meta)
        props = []
        for t in range(n_tasks):
            inputs, output = SHAPES[t % len(SHAPES)]
            text = (f"Task {t} for bench set {d}: read the {' and '.join(inputs)} and write the "
                    f"{output}.")
            props.append(Proposal(meta.ref.id, Task(text, list(inputs), output),
                                  config=meta.ref.config, source="bench", variant="aware"))
        store.add_proposals(props)
        for p in props:
            store.decide(p.id, "accept")
        print(f"  setup: dataset {d + 1}/{n_datasets}", file=sys.stderr, end="\r")
    (base / f"ready-{key}").write_text("ok")
    print(f"  setup took {time.perf_counter() - started:.0f} s (once)", file=sys.stderr)
    return ws


def _rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    path = folder / "data" / "train-00000-of-00001.parquet"
    return pq.read_metadata(path).num_rows if path.exists() else -1


def child_export(ws: str, fmt: str, out: str) -> dict:
    import datasets  # noqa: F401  imported before the clock, as in the baseline

    from dynotui.core.export import ExportOptions, run_export
    from dynotui.core.store import Store

    started = time.perf_counter()
    report = run_export(Store(ws, annotator="bench"), ExportOptions(fmt, out))
    return {"seconds": time.perf_counter() - started, "instances": report.instances,
            "rows": report.rows_read, "failed": len(report.failed_datasets)}


def child_baseline(ws: str, n: int, out: str) -> dict:
    """The same instances with plain `datasets`: per dataset one batched map applying all its
    tasks (the same Builder), then concatenate_datasets + to_json."""
    import datasets

    from dynotui.core.instances import Builder
    from dynotui.core.store import Store

    datasets.disable_progress_bars()
    started = time.perf_counter()
    store = Store(ws, annotator="bench")
    tasks = store.accepted()
    parts = []
    cache = Path(out).parent / "baseline-cache"
    for key in sorted({f"{p.dataset}/{p.config}" for p in tasks})[:n]:
        meta = store.load_meta(key)
        builders = [(Builder(p.task, meta.features), p.id) for p in tasks
                    if f"{p.dataset}/{p.config}" == key]
        files = sorted(str(f) for f in Path(meta.ref.name).glob("data/*.parquet"))
        ds = datasets.load_dataset("parquet", data_files=files, split="train",
                                   cache_dir=str(cache))

        def explode(batch, builders=builders):
            cols = {c: [] for c in ("instruction", "input", "output", "license", "website",
                                    "taskname")}
            names = list(batch)
            for i in range(len(batch[names[0]])):
                row = {k: batch[k][i] for k in names}
                for builder, name in builders:
                    inp, output, _reason, _cut = builder.apply(row)
                    if inp is None:
                        continue
                    for col, value in zip(cols, (builder.instruction, inp, output, "mit", "",
                                                 name)):
                        cols[col].append(value)
            return cols
        parts.append(ds.map(explode, batched=True, remove_columns=ds.column_names))
    merged = datasets.concatenate_datasets(parts)
    merged.to_json(out)
    shutil.rmtree(cache, ignore_errors=True)
    return {"seconds": time.perf_counter() - started, "instances": merged.num_rows}


def run_child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", type=int, default=80)
    ap.add_argument("--tasks", type=int, default=100)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--format", default="jsonl")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--baseline-datasets", type=int, default=8)
    ap.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "dynotui-bench-export"))
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_export(*rest) if kind == "export" else child_baseline(rest[0], int(rest[1]), rest[2])
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    ws = setup(base, args.datasets, args.tasks, args.rows)
    out = base / "out"
    out.mkdir(exist_ok=True)
    suffix = "" if args.format in ("hf", "superni") else ".out"
    runs = [run_child(["export", str(ws), args.format, str(out / f"export{suffix}")])
            for _ in range(args.repeat)]
    base_run = run_child(["baseline", str(ws), str(args.baseline_datasets),
                          str(out / "baseline.jsonl")])
    seconds = statistics.median(r["seconds"] for r in runs)
    rss = max(r["max_rss_mb"] for r in runs)
    inst = runs[0]["instances"]
    rate = inst / seconds
    base_rate = base_run["instances"] / base_run["seconds"]
    print(f"export --format {args.format}: {inst:,} instances from {runs[0]['rows']:,} rows, "
          f"{args.datasets} datasets x {args.tasks} tasks x {args.rows} rows "
          f"(failed datasets: {runs[0]['failed']})")
    print(f"  wall time   {seconds:6.1f} s  (median of {len(runs)}; goal <= 60 s)   "
          f"{rate:,.0f} instances/s")
    print(f"  peak memory {rss:6.0f} MB (RSS high-water mark; goal <= 1536 MB)")
    print(f"baseline (datasets map, {args.baseline_datasets} datasets = "
          f"{base_run['instances']:,} instances): {base_run['seconds']:.1f} s, "
          f"{base_rate:,.0f} instances/s, peak {base_run['max_rss_mb']:.0f} MB")
    print(f"  baseline scaled to {inst:,} instances: {inst / base_rate:.1f} s")
    print(f"ratio: export is {rate / base_rate:.1f}x the baseline's throughput; "
          f"memory {rss / base_run['max_rss_mb']:.2f}x the baseline's (on a 1/"
          f"{args.datasets // max(1, args.baseline_datasets)} slice)")


if __name__ == "__main__":
    main()
