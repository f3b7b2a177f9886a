"""Export options: held-out by task, per-task sampling, caps, dedupe, policies, dataset filter,
unreadable datasets."""

from __future__ import annotations

from collections import Counter

import pytest

from dynotui.core.errors import ExportError
from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from dynotui.core.store import Store
from exportkit import add_task, read_jsonl, sample_workspace, write_jsonl


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return sample_workspace(tmp_path_factory.mktemp("ws"))


def test_held_out_splits_by_task_never_by_row(workspace, tmp_path):
    store, props = workspace
    # when 40% of the tasks are held out
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl"), held_out=0.4,
                                             seed=7))
    train = read_jsonl(tmp_path / "d.jsonl")
    held = read_jsonl(tmp_path / "d.held-out.jsonl")
    train_tasks = {r["taskname"] for r in train}
    held_tasks = {r["taskname"] for r in held}
    # then no task is in both, all tasks are somewhere, and 40% of 8 -> 3 are held out
    assert not train_tasks & held_tasks
    assert len(train_tasks | held_tasks) == len(props)
    assert len(held_tasks) == report.held_out_tasks == 3
    assert report.by_split == {"train": len(train), "held_out": len(held)}
    # and the same seed picks the same tasks; another seed may pick others
    again = run_export(store, ExportOptions("jsonl", str(tmp_path / "e.jsonl"), held_out=0.4, seed=7))
    assert {r["taskname"] for r in read_jsonl(tmp_path / "e.held-out.jsonl")} == held_tasks
    assert again.by_split == report.by_split


def test_held_out_needs_two_tasks_and_a_fraction(tmp_path):
    store = Store(tmp_path / "ws", annotator="a")
    add_task(store, "sample:sst-mini", Task("Classify.", ["text"], "label"))
    with pytest.raises(ExportError, match="at least 2 tasks"):
        run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl"), held_out=0.5))
    with pytest.raises(ExportError, match="between 0 and 1"):
        run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl"), held_out=1.5))
    assert not (tmp_path / "d.jsonl").exists()


def test_per_task_sampling_is_bounded_and_deterministic(workspace, tmp_path):
    store, props = workspace

    def export(name, seed):
        run_export(store, ExportOptions("jsonl", str(tmp_path / name), per_task=5, seed=seed))
        return read_jsonl(tmp_path / name)

    first, second, other = export("a.jsonl", 1), export("b.jsonl", 1), export("c.jsonl", 2)
    # then every task has exactly 5 (all samples have more rows than that)
    assert Counter(r["taskname"] for r in first) == {t: 5 for t in {r["taskname"] for r in first}}
    assert len({r["taskname"] for r in first}) == len(props)
    # the same seed gives the same file; another seed another sample
    assert first == second
    assert first != other


def test_caps_cut_long_inputs_and_outputs(workspace, tmp_path):
    store, _ = workspace
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl"), max_input=40,
                                             max_output=8))
    rows = read_jsonl(tmp_path / "d.jsonl")
    assert max(len(r["input"]) for r in rows) == 40
    assert max(len(r["output"]) for r in rows) == 8
    assert report.cut == sum(1 for r in rows if len(r["input"]) == 40 or len(r["output"]) == 8)
    assert report.cut > 0


def test_duplicates_and_empty_rows_are_skipped_and_counted(tmp_path):
    data = write_jsonl(tmp_path / "rows.jsonl", [
        {"q": "a", "ans": "1"}, {"q": "a", "ans": "1"}, {"q": "b", "ans": ""},
        {"q": "", "ans": "2"}, {"q": "c", "ans": "3"}])
    store = Store(tmp_path / "ws", annotator="a")
    add_task(store, f"local:{data}", Task("Answer.", ["q"], "ans"))
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl")))
    assert [r["input"] for r in read_jsonl(tmp_path / "d.jsonl")] == ["a", "c"]
    assert report.skipped == {"duplicate": 1, "empty output": 1, "empty input": 1}
    assert report.rows_read == 5
    kept = run_export(store, ExportOptions("jsonl", str(tmp_path / "k.jsonl"), dedupe=False))
    assert kept.instances == 3 and "duplicate" not in kept.skipped


def test_policies_and_annotators_choose_the_tasks(tmp_path):
    data = write_jsonl(tmp_path / "rows.jsonl", [{"q": f"q{i}", "a": f"a{i}"} for i in range(4)])
    ws = tmp_path / "ws"
    ann = Store(ws, annotator="ann")
    both = add_task(ann, f"local:{data}", Task("Both accept.", ["q"], "a"))
    split = add_task(ann, f"local:{data}", Task("Only ann accepts.", ["q"], "a"))
    bob = Store(ws, annotator="bob")
    bob.decide(both.id, "accept")
    bob.decide(split.id, "reject", reason="vague instruction")

    def tasks(**kw):
        run_export(ann, ExportOptions("jsonl", str(tmp_path / "d.jsonl"), **kw))
        return {r["instruction"] for r in read_jsonl(tmp_path / "d.jsonl")}

    assert tasks(policy="any") == {"Both accept.", "Only ann accepts."}
    assert tasks(policy="unanimous") == {"Both accept."}
    assert tasks(annotator="bob") == {"Both accept."}
    with pytest.raises(ExportError, match="No accepted tasks"):
        run_export(ann, ExportOptions("jsonl", str(tmp_path / "x.jsonl"), annotator="carol"))


def test_dataset_filter_and_max_per_dataset(workspace, tmp_path):
    store, _ = workspace
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl"),
                                             datasets=["reading-qa", "sample:sst-mini"]))
    assert report.tasks == 3 and report.datasets == 2
    one = run_export(store, ExportOptions("jsonl", str(tmp_path / "e.jsonl"),
                                          datasets=["reading-qa"], max_per_dataset=1, seed=4))
    assert one.tasks == 1
    with pytest.raises(ExportError, match="No accepted task on dataset"):
        run_export(store, ExportOptions("jsonl", str(tmp_path / "f.jsonl"), datasets=["nope"]))


def test_an_unreadable_dataset_is_reported_and_the_export_goes_on(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"q": "x", "a": "y"}])
    doomed = write_jsonl(tmp_path / "doomed.jsonl", [{"q": "z", "a": "w"}])
    store = Store(tmp_path / "ws", annotator="a")
    add_task(store, f"local:{good}", Task("Answer.", ["q"], "a"))
    add_task(store, f"local:{doomed}", Task("Answer too.", ["q"], "a"))
    doomed.unlink()  # the file went away after review
    report = run_export(store, ExportOptions("alpaca", str(tmp_path / "d.json")))
    assert report.instances == 1 and report.tasks_written == 1 and report.tasks == 2
    [(key, why)] = report.failed_datasets.items()
    assert "doomed.jsonl" in key and why


def test_bad_options_name_the_problem(tmp_path):
    store = Store(tmp_path / "ws", annotator="a")
    for options, message in [
        (ExportOptions("csv", "x"), "Unknown export format 'csv'"),
        (ExportOptions("jsonl", "x", per_task=0), "--per-task must be at least 1"),
        (ExportOptions("jsonl", "x", push_to_hub="me/data"), "--format hf only"),
        (ExportOptions("jsonl", "x", policy="most"), "Unknown policy 'most'"),
    ]:
        with pytest.raises(ExportError, match=message):
            run_export(store, options)
