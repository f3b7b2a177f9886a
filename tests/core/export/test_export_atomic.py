"""An interrupted export (exception, cancel, Ctrl-C, SIGKILL) leaves nothing half-written at PATH."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from dynotui.core.store import Store
from exportkit import add_task, write_jsonl

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A workspace with one accepted task over 6,000 rows (progress fires mid-read)."""
    base = tmp_path_factory.mktemp("big")
    data = write_jsonl(base / "rows.jsonl", [{"q": f"question {i}", "a": f"answer {i}"}
                                             for i in range(6000)])
    store = Store(base / "ws", annotator="a")
    add_task(store, f"local:{data}", Task("Answer.", ["q"], "a"))
    add_task(store, f"local:{data}", Task("Echo.", ["a"], "q"))
    return store


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fmt,name", [("alpaca", "d.json"), ("hf", "hf"), ("superni", "ni")])
def test_an_exception_mid_export_leaves_nothing(big, tmp_path, fmt, name):
    # given an export that fails after rows have been written
    def boom(progress):
        if progress.rows:
            raise RuntimeError("disk on fire")

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_export(big, ExportOptions(fmt, str(out / name), held_out=0.5), on_progress=boom)
    # then neither PATH nor any temp is left
    assert leftovers(out) == []


def test_a_failed_export_keeps_the_previous_file(big, tmp_path):
    path = tmp_path / "d.jsonl"
    first = run_export(big, ExportOptions("jsonl", str(path)))
    before = path.read_bytes()
    assert first.instances == 12000

    def interrupt(progress):
        if progress.rows:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_export(big, ExportOptions("jsonl", str(path), per_task=3), on_progress=interrupt)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == ["d.jsonl"]


def test_cancel_from_another_thread_writes_nothing(big, tmp_path):
    cancel = threading.Event()
    seen = []

    def on_progress(progress):  # called from the exporting thread
        seen.append((threading.get_ident(), progress.rows))
        if progress.rows:
            cancel.set()

    result = {}
    worker = threading.Thread(target=lambda: result.update(report=run_export(
        big, ExportOptions("messages", str(tmp_path / "m.jsonl")), on_progress, cancel)))
    worker.start()
    worker.join(60)
    report = result["report"]
    assert report.cancelled and report.paths == []
    assert report.rows_read < 12000
    assert {ident for ident, _ in seen} == {worker.ident}
    assert leftovers(tmp_path) == []


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from dynotui.core.export import ExportOptions, run_export
    from dynotui.core.store import Store

    ws, fmt, out, marker = sys.argv[1:5]
    def on_progress(p):
        if p.rows:
            Path(marker).write_text("writing")
            time.sleep(60)  # killed here, mid-export
    run_export(Store(ws, annotator="a"), ExportOptions(fmt, out), on_progress=on_progress)
""")


@pytest.mark.parametrize("fmt,name", [("alpaca", "d.json"), ("hf", "hf")])
def test_sigkill_mid_export_leaves_nothing_at_path(big, tmp_path, fmt, name):
    out, marker = tmp_path / "out", tmp_path / "marker"
    out.mkdir()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(big.workspace), fmt,
                              str(out / name), str(marker)], cwd=ROOT,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # when the process is killed while writing
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    # then only a hidden temp is left, never PATH
    left = leftovers(out)
    assert name not in left and len(left) == 1 and left[0].startswith(f".{name}.dynotui-tmp-")
    # and the next export into the same place removes it and succeeds
    report = run_export(big, ExportOptions(fmt, str(out / name)))
    assert leftovers(out) == [name] and report.instances == 12000
    if fmt == "alpaca":
        assert len(json.loads((out / name).read_text())) == 12000
