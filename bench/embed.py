"""Embed the released Dynosaur task list cold with each backend, beside plain `encode`.

    DYNOTUI_SHARED_DATA=../shared/data python bench/embed.py [--backends torch,onnx,int8]

Each backend runs in a fresh process on a fresh workspace (cold: import, load, embed every
distinct instruction; goal <= 30 s on 2 cores): torch (sentence-transformers), onnx (the
exported model on ONNX Runtime, the default when installed; its one-time export is timed
first, in an empty cache folder) and int8 (that export dynamically quantized, per channel,
weights only: measured, not used). Right after, the same process times the baseline: plain
SentenceTransformer.encode of a random sample (no dedupe, no cache, batch 32, float32).
Then: each backend's cosine to the torch vectors per text (min / median), and whether its
near-duplicate groups at --threshold are the torch ones; a second run from the cache; with
--diverse K, the diverse pick beside K random tasks. Load averages are printed: these
machines are shared, so compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "support")]

from shareddata import release_file  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def int8_folder(export: Path, dest: Path) -> Path:
    """A copy of the export with its MatMul weights quantized to int8 (activations stay dynamic)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    shutil.copytree(export, dest, dirs_exist_ok=True)
    graph = onnx.load(str(export / "model.onnx")).graph
    weights = {i.name for i in graph.initializer}
    between = [n.name for n in graph.node if n.op_type == "MatMul"
               and not any(i in weights for i in n.input)]  # activation x activation
    quantize_dynamic(str(export / "model.onnx"), str(dest / "model.onnx"), per_channel=True,
                     weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                     nodes_to_exclude=between)
    return dest


def child(args: argparse.Namespace) -> int:
    """One cold run in this fresh process; prints a JSON line."""
    started = time.perf_counter()
    from dynotui.core.embed import model as model_mod
    from dynotui.core.embed.workspace import embed_workspace
    from dynotui.core.store import Store

    before = load()
    if args.child == "int8":
        from dynotui.core.embed.onnxmodel import OnnxEncoder

        model_mod._models[model_mod.DEFAULT_MODEL] = OnnxEncoder(Path(args.int8))
    encoder = model_mod.load_model(None)
    loaded = time.perf_counter() - started
    store = Store(args.workspace, annotator="bench")
    t0 = time.perf_counter()
    props, vectors, report = embed_workspace(store)
    embed_s = time.perf_counter() - t0
    after = load()
    import numpy as np

    np.save(args.vectors, vectors)
    out = {"backend": getattr(encoder, "backend", "torch"), "load_s": loaded, "embed_s": embed_s,
           "texts": report.texts, "computed": report.computed, "load_before": before,
           "load_after": after}
    if args.baseline_sample:
        st = model_mod._load_st(model_mod.DEFAULT_MODEL, model_mod._default_path())
        sample = random.Random(args.seed).sample([p.task.instruction for p in props],
                                                 min(args.baseline_sample, len(props)))
        t0 = time.perf_counter()
        st.encode(sample, normalize_embeddings=True, show_progress_bar=False)
        out.update(base_s=time.perf_counter() - t0, base_n=len(sample), base_load=load())
    store.close()
    print(json.dumps(out))
    return 0


def run_child(backend: str, tmp: Path, tasks: Path, args: argparse.Namespace, env: dict) -> dict:
    workspace = tmp / f"ws-{backend}"
    shutil.copytree(tasks, workspace)
    cmd = [sys.executable, __file__, "--child", backend, "--workspace", str(workspace),
           "--vectors", str(tmp / f"{backend}.npy"), "--baseline-sample", str(args.baseline_sample),
           "--seed", str(args.seed), "--int8", str(tmp / "int8")]
    backend_env = {**env, "DYNOTUI_EMBED_BACKEND": "torch" if backend == "torch" else "onnx"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=backend_env)
    if done.returncode != 0:
        sys.exit(f"{backend} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def groups_of(vectors, keys, threshold: float) -> set:
    from dynotui.core.embed.groups import near_groups

    return {frozenset(g) for g in near_groups(vectors, threshold, same=keys)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", default=str(release_file()), help="task list to import")
    parser.add_argument("--backends", default="torch,onnx,int8")
    parser.add_argument("--diverse", type=int, metavar="K", help="choose K diverse tasks")
    parser.add_argument("--max-per-dataset", type=int, metavar="N", help="cap per dataset config")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-sample", type=int, default=1000, metavar="N",
                        help="texts in the plain-encode baseline (default 1000; 0: none)")
    parser.add_argument("--threshold", type=float, default=0.9, help="near-duplicate cosine")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    for hidden in ("--workspace", "--vectors", "--int8"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    import numpy as np

    from dynotui.core.embed import cache as cache_mod
    from dynotui.core.embed.cache import text_key
    from dynotui.core.generation.tasklist import import_tasks
    from dynotui.core.store import Store

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="dynotui-bench-embed-") as tmpdir:
        tmp = Path(tmpdir)
        env = {**os.environ, "DYNOTUI_CACHE_DIR": str(tmp / "cache"),
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        store = Store(tmp / "tasks", annotator="bench")
        t0 = time.perf_counter()
        report = import_tasks(store, args.file)
        props = sorted(store.live_proposals(), key=lambda p: p.id)
        store.close()
        print(f"imported {report.imported} tasks in {time.perf_counter() - t0:.1f} s "
              f"(load average {load()})")

        if {"onnx", "int8"} & set(backends):
            t0 = time.perf_counter()
            code = ("import time; t = time.perf_counter(); from dynotui.core.embed.model import "
                    "load_model; m = load_model(None); print(m.folder)")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  env={**env, "DYNOTUI_EMBED_BACKEND": "onnx"}, cwd=ROOT)
            if done.returncode != 0 or not done.stdout.strip():
                sys.exit(f"ONNX export failed:\n{done.stderr[-3000:]}")
            export = Path(done.stdout.strip().splitlines()[-1])
            print(f"onnx export, once per machine (import torch + load + export): "
                  f"{time.perf_counter() - t0:.1f} s (load average {load()})")
            if "int8" in backends:
                t0 = time.perf_counter()
                int8_folder(export, tmp / "int8")
                print(f"int8 quantization of the export: {time.perf_counter() - t0:.1f} s")

        results = {}
        print(f"\ncold runs, {len(props)} tasks; each a fresh process and workspace "
              f"(goal: import + load + embed <= 30 s):")
        for backend in backends:
            r = results[backend] = run_child(backend, tmp, tmp / "tasks", args, env)
            cold = r["load_s"] + r["embed_s"]
            rate = r["computed"] / r["embed_s"]
            line = (f"  {backend:<5} import+load {r['load_s']:5.1f} s, embed {r['computed']} distinct "
                    f"in {r['embed_s']:5.1f} s ({rate:4.0f} texts/s), cold {cold:5.1f} s "
                    f"[{'OK' if cold <= 30 else 'over 30 s'}] (load {r['load_before']} -> "
                    f"{r['load_after']})")
            if "base_s" in r:
                base_rate = r["base_n"] / r["base_s"]
                line += (f"\n        baseline plain encode {r['base_n']} random tasks: {base_rate:.0f} "
                         f"texts/s (load {r['base_load']}); ours {rate / base_rate:.2f}x its rate")
            print(line)

        keys = [text_key(p.task.instruction) for p in props]
        vectors = {b: np.load(tmp / f"{b}.npy") for b in backends}
        if "torch" in vectors:
            ref = vectors["torch"]
            ref_groups = groups_of(ref, keys, args.threshold)
            print(f"\nagreement with torch (cosine per task) and near-duplicate groups at "
                  f"{args.threshold} (torch: {len(ref_groups)} groups):")
            for b in backends:
                if b == "torch":
                    continue
                cos = (vectors[b] * ref).sum(axis=1)
                mine = groups_of(vectors[b], keys, args.threshold)
                print(f"  {b:<5} min {cos.min():.5f}, median {np.median(cos):.6f}, "
                      f"{(cos < 0.99).sum()} below 0.99 [{'OK' if cos.min() >= 0.99 else 'FAILS'}]; "
                      f"groups: {len(mine)}, {'the same' if mine == ref_groups else 'DIFFERENT'} "
                      f"({len(mine ^ ref_groups)} differ)")

        default = "onnx" if "onnx" in backends else backends[0]
        os.environ.update({k: env[k] for k in ("DYNOTUI_CACHE_DIR",)})
        os.environ["DYNOTUI_EMBED_BACKEND"] = "torch" if default == "torch" else "onnx"
        from dynotui.core.embed import mean_pairwise_distance, select_diverse
        from dynotui.core.embed.select import random_pick
        from dynotui.core.embed.workspace import embed_workspace

        store = Store(tmp / f"ws-{default}", annotator="bench")
        cache_mod._caches.clear()
        t0 = time.perf_counter()
        props, again, second = embed_workspace(store)
        print(f"\nsecond run ({default}): {second.computed} embedded, {second.cached} from the "
              f"cache in {time.perf_counter() - t0:.2f} s; identical vectors: "
              f"{bool((again == vectors[default]).all())}")
        if args.diverse:
            k = args.diverse
            chosen = select_diverse(props, k, seed=args.seed, max_per_dataset=args.max_per_dataset,
                                    workspace=store.workspace, vectors=again)
            ids = {p.id for p in chosen}
            rows = [i for i, p in enumerate(props) if p.id in ids]
            rand = random_pick(len(props), k, args.seed)
            ours, base = mean_pairwise_distance(again[rows]), mean_pairwise_distance(again[rand])
            print(f"--diverse {k} (seed {args.seed}): mean pairwise cosine distance {ours:.4f} "
                  f"vs {base:.4f} for {k} random tasks ({ours / base:.2f}x)")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
