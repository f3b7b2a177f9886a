"""`dynotui export` as a user runs it: a real process on a real workspace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from exportkit import add_task, write_jsonl

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    data = write_jsonl(base / "rows.jsonl",
                       [{"q": f"question {i} [bold]x[/]", "a": f"answer {i}"} for i in range(20000)])
    store = Store(base / "ws", annotator="ann")
    add_task(store, f"local:{data}", Task("Answer.", ["q"], "a"))
    add_task(store, f"local:{data}", Task("Ask.", ["a"], "q"))
    return base / "ws"


def dynotui(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dynotui", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kw)


def test_export_prints_a_summary_and_writes_the_file(workspace, tmp_path):
    out = tmp_path / "d.jsonl"
    done = dynotui("export", "--workspace", str(workspace), "--format", "jsonl", "--out", str(out),
                   "--per-task", "10", "--seed", "3", "--held-out", "0.5", "--max-rows", "2000")
    assert done.returncode == 0, done.stderr
    assert "Wrote 20 instances from 2 of 2 tasks" in done.stdout
    assert f"-> {out}" in done.stdout and "held-out tasks: 1" in done.stdout
    assert len(out.read_text().splitlines()) == 10
    assert len((tmp_path / "d.held-out.jsonl").read_text().splitlines()) == 10


def test_export_json_report(workspace, tmp_path):
    done = dynotui("export", "--workspace", str(workspace), "-f", "trl", "-o",
                   str(tmp_path / "t.jsonl"), "--max-rows", "100", "--max-input", "12", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["instances"] == 200 and report["rows_read"] == 100  # read once, two tasks
    assert report["cut"] == 100  # "question N [bold]x[/]" is longer than 12; answers are not
    assert report["paths"] == [str(tmp_path / "t.jsonl")]


def test_bad_input_gets_a_clear_error(workspace, tmp_path):
    done = dynotui("export", "--workspace", str(workspace), "-f", "jsonl", "-o",
                   str(tmp_path / "x.jsonl"), "--held-out", "2")
    assert done.returncode == 2
    assert "--held-out must be a fraction between 0 and 1" in done.stderr
    empty = dynotui("export", "--workspace", str(tmp_path / "empty"), "-f", "alpaca", "-o",
                    str(tmp_path / "x.json"))
    assert empty.returncode == 2 and "No accepted tasks to export" in empty.stderr
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "x.jsonl").exists()


def test_ctrl_c_leaves_nothing_at_path(workspace, tmp_path):
    out = tmp_path / "d.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "dynotui", "export", "--workspace",
                              str(workspace), "-f", "alpaca", "-o", str(out), "--no-dedupe"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".d.json.dynotui-tmp-*")):  # writing has begun
            assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_untrusted_text_in_the_summary_is_inert(tmp_path):
    # given an accepted task (imported from a file) naming a dataset with terminal escapes
    good = write_jsonl(tmp_path / "good.jsonl", [{"q": "x", "a": "y"}])
    store = Store(tmp_path / "ws", annotator="ann")
    add_task(store, f"local:{good}", Task("Answer.", ["q"], "a"))
    [evil] = store.add_proposals([Proposal(f"local:{tmp_path}/data\x1b]0;pwned\x07.jsonl",
                                           Task("Answer.", ["q"], "a"), source="import:x")])
    store.decide(evil.id, "accept")
    done = dynotui("export", "--workspace", str(tmp_path / "ws"), "-f", "jsonl", "-o",
                   str(tmp_path / "d.jsonl"))
    # then the summary names it, with the escapes shown, not sent to the terminal
    assert done.returncode == 0, done.stderr
    assert "dataset not read:" in done.stdout and "\\x1b]0;pwned\\x07" in done.stdout
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
