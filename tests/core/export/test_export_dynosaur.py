"""`--style dynosaur` end to end: a real local dataset read through the sources, a real store,
the real export. Expected rows are counted by hand from the original pipeline's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dynotui.core.errors import ExportError
from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from dynotui.core.store import Store
from exportkit import add_task, read_jsonl, write_jsonl

NAMES = ["entailment", "neutral", "contradiction"]
CARD = """---
configs:
- config_name: default
  data_files:
{files}
dataset_info:
  features:
  - name: premise
    dtype: string
  - name: hypothesis
    dtype: string
  - name: answer_choices
    sequence: string
  - name: flag
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
          '0': entailment
          '1': neutral
          '2': contradiction
---
"""


def nli_row(split: str, i: int) -> dict:
    return {"premise": f" P {split} {i} ", "hypothesis": f"H{i}",
            "answer_choices": [] if i % 10 == 7 else ["yes ", "no"],
            "flag": "pos" if i < 70 else "neg",
            "label": -1 if (split, i) == ("train", 4) else i % 3}


def make_dataset(root: Path, sizes: dict[str, int]) -> Path:
    files = "".join(f"  - split: {s}\n    path: data/{s}.jsonl\n" for s in sizes)
    root.mkdir(parents=True)
    (root / "README.md").write_text(CARD.format(files=files), encoding="utf-8")
    for split, n in sizes.items():
        write_jsonl(root / "data" / f"{split}.jsonl", [nli_row(split, i) for i in range(n)])
    return root


@pytest.fixture()
def store(tmp_path):
    data = make_dataset(tmp_path / "nli", {"train": 150, "validation": 40, "test": 10})
    store = Store(tmp_path / "ws", annotator="ann")
    tasks = {
        "label": Task("Decide the relation.", ["premise", "hypothesis"], "label"),
        "choices": Task("Pick an answer.", ["hypothesis", "answer_choices"], "premise"),
        "flag": Task("Flag it.", ["hypothesis"], "flag"),
    }
    ids = {k: add_task(store, f"local:{data}", t).id for k, t in tasks.items()}
    return store, ids


def export(store, tmp_path, **kw) -> tuple[dict, list[dict]]:
    out = tmp_path / "out.jsonl"
    report = run_export(store, ExportOptions(format="jsonl", out=str(out), style="dynosaur", **kw))
    return report, read_jsonl(out)


def by_task(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["instruction"], []).append(row)
    return grouped


def test_rows_are_100_train_then_validation_and_classlabels_are_names(store, tmp_path):
    st, ids = store
    report, rows = export(st, tmp_path)
    # train gave a full 100, so validation (40) is read too; test never
    assert report.rows_read == 140
    label = by_task(rows)["Decide the relation. Answers must be one of entailment, neutral, "
                          "contradiction."]
    assert len(label) == 140  # no dedupe, no row skipped
    assert label[0]["input"] == "premise is 'P train 0'. hypothesis is 'H0'. "
    assert label[0]["output"] == "entailment"
    assert label[4]["output"] == "contradiction"  # -1: the original took names[-1]
    assert label[100]["input"] == "premise is 'P validation 0'. hypothesis is 'H0'. "


def test_choice_lists_and_empty_lists(store, tmp_path):
    st, _ids = store
    _report, rows = export(st, tmp_path)
    pick = by_task(rows)["Pick an answer."]  # 140 distinct outputs: no label space
    assert pick[0] == {"instruction": "Pick an answer.", "input": "hypothesis is 'H0'.  A. 'yes ', B. 'no'.",
                       "output": "P train 0", "license": "", "website": "",
                       "taskname": pick[0]["taskname"]}
    # rows 7, 17, ... hold an empty list: skipped (10 of train's 100, 4 of validation's 40)
    assert len(pick) == 140 - 10 - 4


def test_two_labels_at_70_kept_at_71_dropped(tmp_path):
    data = make_dataset(tmp_path / "bin", {"train": 100})
    st = Store(tmp_path / "ws", annotator="ann")
    keep = add_task(st, f"local:{data}", Task("Flag it.", ["hypothesis"], "flag"))
    # when row 70 says pos too, pos is in 71 of 100 rows
    rows = [nli_row("train", i) | ({"flag": "pos"} if i == 70 else {}) for i in range(100)]
    write_jsonl(tmp_path / "bin71" / "data" / "train.jsonl", rows)
    (tmp_path / "bin71" / "README.md").write_text((data / "README.md").read_text())
    drop = add_task(st, f"local:{tmp_path / 'bin71'}", Task("Flag it.", ["hypothesis"], "flag"))
    report, out = export(st, tmp_path)
    assert {r["instruction"] for r in out} == {"Flag it. Answers must be one of pos, neg."}
    assert len(out) == 100
    assert report.tasks_dropped == {"imbalanced labels": 1}
    assert report.dropped[drop.id].startswith("imbalanced labels: one of 2 labels in 71 of 100")
    assert keep.id not in report.dropped


def test_a_short_train_split_ends_the_sample(tmp_path):
    data = make_dataset(tmp_path / "short", {"train": 99, "validation": 50})
    st = Store(tmp_path / "ws", annotator="ann")
    add_task(st, f"local:{data}", Task("Decide.", ["premise", "hypothesis"], "label"))
    report, rows = export(st, tmp_path)
    assert report.rows_read == 99 and len(rows) == 99  # validation is never read


def test_a_none_output_drops_the_task_and_options_are_checked(tmp_path):
    data = make_dataset(tmp_path / "n", {"train": 20})
    rows = [nli_row("train", i) | ({"flag": None} if i == 3 else {}) for i in range(20)]
    write_jsonl(data / "data" / "train.jsonl", rows)
    st = Store(tmp_path / "ws", annotator="ann")
    p = add_task(st, f"local:{data}", Task("Flag it.", ["hypothesis"], "flag"))
    add_task(st, f"local:{data}", Task("Say it.", ["flag"], "hypothesis"))  # None input: skipped
    report, out = export(st, tmp_path)
    assert report.dropped == {p.id: "output not text: 'flag' is None in row 4"}
    assert len(out) == 19 and report.skipped == {
        "input not text (None, dict, empty list or list of non-text)": 1}
    with pytest.raises(ExportError, match="--max-rows"):
        run_export(st, ExportOptions(format="jsonl", out=str(tmp_path / "x.jsonl"),
                                     style="dynosaur", max_rows=5))
    with pytest.raises(ExportError, match="style"):
        run_export(st, ExportOptions(format="jsonl", out=str(tmp_path / "x.jsonl"), style="raw"))
    manifest_free = json.loads(json.dumps(report.to_dict()))
    assert manifest_free["tasks_dropped"] == {"output not text": 1}
