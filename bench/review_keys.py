"""Accept -> next proposal on screen, measured inside the app, with 50k proposals stored.

Time runs from the key's action to `call_after_refresh` (the next frame is composed), beside a
bare Textual app that updates a Static and a 5-row DataTable on the same kind of action. Also
reports how long until each decision is durable (the store writer's answer).

    .venv/bin/python bench/review_keys.py [--proposals 50000] [--keys 200] [--fps 1000] [--others]

--others: another annotator decided every proposal first, so every line of the queue strip
carries its "decided elsewhere" mark (⇄other).

Keys are pressed back to back, one per frame: with --fps 1000 that is faster than decisions
can be written, so the "durable" figure then includes the writer's backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Textual draws at most 60 frames a second, which would floor every figure at ~16.7 ms; a high
# cap (set with --fps before textual is imported) measures the work itself.
if "--fps" in sys.argv:
    os.environ["TEXTUAL_FPS"] = sys.argv[sys.argv.index("--fps") + 1]

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Static  # noqa: E402


def seed(workspace: Path, n: int, datasets: int = 50, others: bool = False) -> None:
    from dynotui.core.models import DatasetMeta, DatasetRef, Feature, Proposal, Task
    from dynotui.core.store import Store

    store = Store(workspace, annotator="bench")
    per = n // datasets
    for d in range(datasets):
        ref = DatasetRef("local", f"/bench/ds{d:03d}", "default")
        rows = [{"text": f"Row {i} of dataset {d}: a sentence long enough to wrap a little "
                         f"in the sample pane of the review screen.", "label": ["pos", "neg"][i % 2]}
                for i in range(20)]
        store.save_meta(DatasetMeta(ref=ref, name=f"ds{d:03d}", features=[
            Feature("text", "string"), Feature("label", "ClassLabel", ["pos", "neg"])],
            rows={"train": rows}, license=["mit"]))
        store.add_proposals([Proposal(dataset=ref.id, config="default", model="bench",
                                      task=Task(f"Task {i} for dataset {d}: label the text as "
                                                "positive or negative.", ["text"], "label"),
                                      created=1_700_000_000 + d * per + i) for i in range(per)])
    store.close()
    if others:
        with Store(workspace, annotator="other") as other:
            other.decide_many([p.id for p in other.proposals()], "accept")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summary(name: str, ms: list[float]) -> str:
    return (f"{name:<34} median {statistics.median(ms):6.2f} ms   p95 {pct(ms, 0.95):6.2f} ms"
            f"   (n={len(ms)})")


class Bare(App):
    """The baseline: a Static and a 5-row DataTable updated on each key."""

    def compose(self) -> ComposeResult:
        yield Static(id="s")
        yield DataTable(id="t")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("a", "b", "c")
        self.n = 0

    def action_step(self) -> None:
        self.n += 1
        self.query_one(Static).update(f"proposal {self.n}: some instruction text " * 3)
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows([(f"{self.n}-{i}", "input text " * 3, "output") for i in range(5)])


async def measure(app: App, step, keys: int) -> list[float]:
    out: list[float] = []
    for _ in range(keys):
        done = asyncio.Event()
        t0 = time.perf_counter()
        step()
        app.call_after_refresh(lambda: (out.append((time.perf_counter() - t0) * 1000),
                                        done.set()))
        await done.wait()
        await asyncio.sleep(0)
    return out


async def bench_bare(keys: int, size: tuple[int, int]) -> list[float]:
    app = Bare()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        return await measure(app, app.action_step, keys)


async def bench_review(workspace: Path, keys: int, size: tuple[int, int] = (120, 40)
                       ) -> tuple[list[float], list[float], float]:
    from dynotui.config import load_settings
    from dynotui.core.store import Store
    from dynotui.tui.app import DynoApp

    settings = load_settings(workspace=workspace, annotator="bench")
    store = Store(workspace, annotator="bench")
    app = DynoApp(settings, store, start="review")
    durable: list[float] = []
    async with app.run_test(size=size) as pilot:
        t0 = time.perf_counter()
        while app.review is None or app.review.queue is None:
            await asyncio.sleep(0.01)
        load = time.perf_counter() - t0
        review = app.review
        while review.current is not None and jobs_meta_missing(app, review):
            await asyncio.sleep(0.01)
        submitted: dict[str, float] = {}
        original = review.saved

        def saved(message) -> None:
            if message.job.pid in submitted:
                durable.append((time.perf_counter() - submitted.pop(message.job.pid)) * 1000)
            original(message)
        review.saved = saved

        def step() -> None:
            submitted[review.current.id] = time.perf_counter()
            review.action_decide("accept")
        ms = await measure(app, step, keys)
        while app.writer.pending:
            await asyncio.sleep(0.01)
        await pilot.pause(0.1)
    store.close()
    return ms, durable, load


def jobs_meta_missing(app, review) -> bool:
    from dynotui.tui import jobs

    p = review.current
    return jobs.meta_key(p.dataset, p.config) not in app.meta_cache


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--size", default="120x40", help="terminal WIDTHxHEIGHT")
    parser.add_argument("--fps", default="60", help="TEXTUAL_FPS for both apps (default 60)")
    parser.add_argument("--others", action="store_true",
                        help="another annotator decided every proposal first")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    workspace = Path(tempfile.mkdtemp(prefix="dynotui-bench-review-"))
    try:
        t0 = time.perf_counter()
        seed(workspace, args.proposals, others=args.others)
        print(f"seeded {args.proposals:,} proposals in {time.perf_counter() - t0:.1f} s")
        bare = asyncio.run(bench_bare(args.keys, size))
        ms, durable, load = asyncio.run(bench_review(workspace, args.keys, size))
        print(f"terminal {args.size}, TEXTUAL_FPS={os.environ.get('TEXTUAL_FPS', '60')}")
        print(f"review queue of {args.proposals:,} loaded (worker) in {load:.2f} s")
        print(summary("baseline: bare Static+DataTable", bare))
        print(summary("dynotui: accept -> next on screen", ms))
        print(summary("dynotui: accept -> durable (saved)", durable))
        print(f"ratio p95 dynotui/baseline: {pct(ms, 0.95) / pct(bare, 0.95):.2f}x; "
              f"goal p95 <= 30 ms: {'met' if pct(ms, 0.95) <= 30 else 'NOT met'}")
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
