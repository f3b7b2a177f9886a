"""Browse a list of 10k datasets: time until the list is on screen and the cursor moves,
beside the naive way (every row added to a DataTable at once) measured in the same run.

    .venv/bin/python bench/browse.py [--datasets 10000] [--runs 5]

Two sources: a local folder holding N small data files (the real `list_datasets` path), and an
in-memory listing of N entries (the list widget alone).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from dynotui.core.models import DatasetEntry, DatasetRef  # noqa: E402


STEPS = 10  # cursor steps per run, one after the other as a held key gives them


def make_folder(root: Path, n: int) -> Path:
    folder = root / "many"
    folder.mkdir()
    row = json.dumps({"text": "a short sentence", "label": "pos"}) + "\n"
    for i in range(n):
        (folder / f"set{i:05d}.jsonl").write_text(row)
    return folder


def entries(n: int) -> list[DatasetEntry]:
    return [DatasetEntry(ref=DatasetRef("local", f"/data/set{i:05d}"), name=f"set{i:05d}",
                         license=["mit"], languages=["en"], task_categories=["text-classification"])
            for i in range(n)]


class Naive(App):
    def __init__(self, rows: list[DatasetEntry]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("dataset", "license", "lang", "task")


async def naive(rows: list[DatasetEntry]) -> float:
    app = Naive(rows)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        done = asyncio.Event()
        t0 = time.perf_counter()
        app.query_one(DataTable).add_rows(
            [(e.name, ",".join(e.license), ",".join(e.languages), ",".join(e.task_categories))
             for e in app.rows])
        app.call_after_refresh(done.set)
        await done.wait()
        return time.perf_counter() - t0


async def drawn(app) -> None:
    """Until the next frame is drawn, and the layout passes it asked for (a first long page
    brings in the scrollbar: one pass more). A step measured before them would pay for them."""
    for _ in range(5):
        done = asyncio.Event()
        app.call_after_refresh(done.set)
        await done.wait()
        screen = app.screen
        if not (screen._layout_required or screen._dirty_widgets):  # Textual's own flags
            return


async def dynotui(workspace: Path, source: str, fetch=None) -> tuple[float, list[float]]:
    """(seconds until the first page is on screen, seconds of each of STEPS cursor steps after
    it, the first one right after the page)."""
    from dynotui.config import load_settings
    from dynotui.core.store import Store
    from dynotui.tui.app import DynoApp
    from dynotui.tui.widgets.dataset_table import DatasetTable

    settings = load_settings(workspace=workspace, annotator="bench")
    store = Store(workspace, annotator="bench")
    app = DynoApp(settings, store, source=source, start="browse")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.browse is None:
            await asyncio.sleep(0.001)
        table = app.browse.query_one(DatasetTable)
        t0 = time.perf_counter()
        if fetch is not None:
            table.reset(fetch)  # else the screen lists the folder itself after its first frame
        while not table.entries:
            await asyncio.sleep(0.001)
        await drawn(app)
        first = time.perf_counter() - t0
        steps = []
        for _ in range(STEPS):
            done = asyncio.Event()
            t1 = time.perf_counter()
            table.action_cursor_down()
            app.call_after_refresh(done.set)
            await done.wait()
            steps.append(time.perf_counter() - t1)
    store.close()
    return first, steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()
    root = Path(tempfile.mkdtemp(prefix="dynotui-bench-browse-"))
    try:
        folder = make_folder(root, args.datasets)
        listing = entries(args.datasets)

        def fetch(offset: int, limit: int) -> list[DatasetEntry]:
            return listing[offset:offset + limit]
        results: dict[str, list[float]] = {"naive": [], "memory": [], "local": [], "step": [],
                                           "steps": [], "scan": []}
        from dynotui.core.sources import list_datasets
        for i in range(args.runs):
            t0 = time.perf_counter()
            list_datasets("local", path=folder, limit=200)
            results["scan"].append(time.perf_counter() - t0)
            results["naive"].append(asyncio.run(naive(listing)))
            first, steps = asyncio.run(dynotui(root / f"ws{i}", "local", fetch))
            results["memory"].append(first)
            results["step"].append(steps[0])
            results["steps"].extend(steps)
            results["local"].append(asyncio.run(dynotui(root / f"wl{i}", str(folder)))[0])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    med = {k: statistics.median(v) * 1000 for k, v in results.items()}
    n = f"{args.datasets:,}"
    load = " ".join(f"{x:.2f}" for x in load_before)
    print(f"{args.runs} runs, medians, 120x40 headless; load average {load} before, "
          f"{os.getloadavg()[0]:.2f} after")
    print(f"baseline: DataTable.add_rows of {n} rows on screen     {med['naive']:8.0f} ms")
    print(f"dynotui: first page of {n} (in-memory listing) on screen {med['memory']:6.0f} ms")
    print(f"dynotui: first page of {n} local files on screen        {med['local']:6.0f} ms")
    print(f"  of which list_datasets(local, limit=200) itself           {med['scan']:6.0f} ms")
    print(f"dynotui: cursor step right after that                    {med['step']:6.1f} ms")
    print(f"dynotui: cursor steps, all {STEPS} of each run                   {med['steps']:6.1f} ms")
    ok = max(med["memory"], med["local"]) <= 300
    print(f"goal first page <= 300 ms: {'met' if ok else 'NOT met'} "
          f"(in-memory {med['memory'] / med['naive']:.2f}x of the naive add_rows); "
          f"cursor step <= 50 ms: {'met' if med['step'] <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
