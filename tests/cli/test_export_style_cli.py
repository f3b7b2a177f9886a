"""`dynotui export --style dynosaur` as a user runs it, on a dataset served by the loopback Hub;
its rows must equal the same export from a local copy of the dataset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from dynotui.core.sources import hubclient
from dynotui.core.store import Store
from exportkit import add_task, read_jsonl, write_jsonl
from hubserver import HubServer

ROOT = Path(__file__).resolve().parents[2]
CARD = """---
license: mit
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.jsonl
  - split: validation
    path: data/validation.jsonl
  - split: test
    path: data/test.jsonl
dataset_info:
  features:
  - name: question
    dtype: string
  - name: choices
    sequence: string
  - name: label
    dtype:
      class_label:
        names:
          '0': first
          '1': second
---
"""
TASKS = [Task("Pick the answer.", ["question", "choices"], "label"),
         Task("Ask it.", ["choices"], "question"),
         Task("Always first?", ["question"], "choices")]  # a list output: dropped


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "quiz"
    root.mkdir()
    (root / "README.md").write_text(CARD, encoding="utf-8")
    for split, n in (("train", 120), ("validation", 60), ("test", 9)):
        write_jsonl(root / "data" / f"{split}.jsonl",
                    [{"question": f" {split} q{i} ", "choices": [f"a{i}", "b "],
                      "label": -1 if i == 4 else i % 2} for i in range(n)])
    return root


def test_hub_and_local_give_the_same_dynosaur_rows(folder, tmp_path, monkeypatch):
    server = HubServer().start()
    try:
        server.add_folder("acme/quiz", folder)
        env = server.env(tmp_path / "hf")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        hubclient.sync_env()
        hub_ws, local_ws = tmp_path / "hub-ws", tmp_path / "local-ws"
        for ws, ref in ((hub_ws, "hub:acme/quiz"), (local_ws, f"local:{folder}")):
            store = Store(ws, annotator="ann")
            for task in TASKS:
                add_task(store, ref, task)
        out = tmp_path / "hub.jsonl"
        done = subprocess.run(
            [sys.executable, "-m", "dynotui", "export", "--workspace", str(hub_ws), "-f", "jsonl",
             "-o", str(out), "--style", "dynosaur"],
            cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=300)
    finally:
        server.stop()
        monkeypatch.undo()
        hubclient.sync_env()
    assert done.returncode == 0, done.stderr
    # 100 train rows, then validation's 60 (test never); the list-output task is dropped
    assert "Wrote 320 instances from 2 of 3 tasks" in done.stdout
    assert "(160 rows read)" in done.stdout
    assert "tasks dropped 1: output not text" in done.stdout
    local = tmp_path / "local.jsonl"
    run_export(Store(local_ws, annotator="ann"),
               ExportOptions(format="jsonl", out=str(local), style="dynosaur"))

    def pairs(rows):
        return sorted((r["instruction"], r["input"], r["output"]) for r in rows)
    hub_rows = read_jsonl(out)
    assert pairs(hub_rows) == pairs(read_jsonl(local))
    first = next(r for r in hub_rows if r["instruction"].startswith("Pick"))
    assert first["instruction"] == "Pick the answer. Answers must be one of first, second."
    assert first["input"] == "question is 'train q0'.  A. 'a0', B. 'b '."
    # row 4's label is -1: the original took the last name
    assert [r["output"] for r in hub_rows if r["instruction"].startswith("Pick")][3:6] == \
        ["second", "second", "second"]
    ask = next(r for r in hub_rows if r["instruction"] == "Ask it.")
    assert ask == {**ask, "input": " A. 'a0', B. 'b '.", "output": "train q0"}
    assert first["license"] == "mit"
