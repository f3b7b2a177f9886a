"""Staged export: `export --stage K --replay N --replay-by RULE` writes stage K's accepted tasks plus
N replayed earlier ones, and every row says its stage and whether it is a replay."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from test_crawl_stages import ENTAIL, INTENT, staged_workspace  # noqa: E402


def _rows(path: Path) -> list[dict]:
    text = path.read_text()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _by_instruction(rows: list[dict], key: str = "instruction") -> dict[str, set]:
    out: dict[str, set] = defaultdict(set)
    for row in rows:
        out[row[key]].add((row["stage"], row["replay"]))
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "alpaca"])
def test_rows_of_a_staged_export_carry_stage_and_replay(tmp_path, fmt):
    from dynotui.core.export import ExportOptions, run_export

    store = staged_workspace(tmp_path)
    out = tmp_path / f"stage2.{fmt}"
    report = run_export(store, ExportOptions(format=fmt, out=str(out), stage=2, replay=3,
                                             replay_by="random", seed=1))
    rows = _rows(out)
    assert rows and all(isinstance(r["stage"], int) and isinstance(r["replay"], bool) for r in rows)
    tasks = _by_instruction(rows)
    current = {t for t, marks in tasks.items() if marks == {(2, False)}}
    replayed = {t for t, marks in tasks.items() if all(m[1] for m in marks)}
    assert len(current) + len(replayed) == len(tasks) == report.tasks_written
    assert len(replayed) == 3 and all(s in (0, 1) for t in replayed for s, _ in tasks[t])
    assert {t.split(" Answers must be")[0] for t in current} <= set(INTENT) | set(ENTAIL)
    assert report.tasks == len(INTENT) + len(ENTAIL) + 3


def test_chat_formats_and_unstaged_exports(tmp_path):
    from dynotui.core.export import ExportOptions, run_export

    store = staged_workspace(tmp_path)
    run_export(store, ExportOptions(format="messages", out=str(tmp_path / "m.jsonl"), stage=1))
    rows = _rows(tmp_path / "m.jsonl")
    assert rows and all(r["stage"] == 1 and r["replay"] is False and r["messages"] for r in rows)
    run_export(store, ExportOptions(format="jsonl", out=str(tmp_path / "all.jsonl")))
    assert all("stage" not in r for r in _rows(tmp_path / "all.jsonl"))


def test_bad_staged_options_are_clear(tmp_path):
    from dynotui.core.errors import ExportError
    from dynotui.core.export import ExportOptions, run_export

    store = staged_workspace(tmp_path)
    with pytest.raises(ExportError, match="--replay needs --stage"):
        run_export(store, ExportOptions(format="jsonl", out=str(tmp_path / "x.jsonl"), replay=2))
    with pytest.raises(ExportError, match="replay"):
        run_export(store, ExportOptions(format="jsonl", out=str(tmp_path / "x.jsonl"), stage=2,
                                        replay=2, replay_by="best"))
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_stage_flags(tmp_path, capsys):
    from dynotui.cli import main

    store = staged_workspace(tmp_path)
    out = tmp_path / "cli.jsonl"
    code = main(["export", "--workspace", str(store.workspace), "--format", "jsonl", "--out",
                 str(out), "--stage", "2", "--replay", "2", "--replay-by", "random"])
    assert code == 0, capsys.readouterr()
    rows = _rows(out)
    assert sum(1 for t, m in _by_instruction(rows).items() if all(x[1] for x in m)) == 2


def test_hf_and_superni_exports_say_stage_and_replay(tmp_path):
    from datasets import load_dataset

    from dynotui.core.export import ExportOptions, run_export

    store = staged_workspace(tmp_path)
    run_export(store, ExportOptions(format="hf", out=str(tmp_path / "hf"), stage=2, replay=2,
                                    replay_by="random"))
    rows = list(load_dataset(str(tmp_path / "hf"), split="train"))
    assert rows and {(r["stage"], r["replay"]) for r in rows} >= {(2, False)}
    assert sum(1 for m in _by_instruction(rows).values() if all(x[1] for x in m)) == 2
    run_export(store, ExportOptions(format="superni", out=str(tmp_path / "sn"), stage=1))
    files = [json.loads(p.read_text()) for p in (tmp_path / "sn" / "tasks").glob("*.json")]
    assert files and all(f["Stage"] == 1 and f["Replay"] is False for f in files)
