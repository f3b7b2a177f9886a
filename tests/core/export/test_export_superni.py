"""superni: every task file passes our reading of the NI repository's checks (nichecks) and
the folder loads through a builder that reads it as Tk-Instruct's loader does (tkloader)."""

from __future__ import annotations

import json

import pytest

from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from exportkit import SAMPLE_TASKS, add_task, sample_workspace, write_jsonl
from nichecks import NI_CATEGORIES, check_folder, check_task

LABELS = ["positive", "negative", "mixed"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("ni")
    store, props = sample_workspace(base / "ws")
    # 250 rows; rows 200..249 repeat the texts of rows 0..49 with another label: they merge
    reviews = write_jsonl(base / "reviews.jsonl", [
        {"text": f"Review text {i % 200}", "label": LABELS[(i % 200 + i // 200) % 3], "title": f"T{i}"}
        for i in range(250)])
    merged = add_task(store, f"local:{reviews}", Task("Give the sentiment of the review.",
                                                      ["text"], "label"))
    skewed = write_jsonl(base / "skewed.jsonl", [
        {"text": f"Message {i}", "spam": "yes" if i % 20 == 0 else "no"} for i in range(200)])
    lopsided = add_task(store, f"local:{skewed}", Task("Is the message spam?", ["text"], "spam"))
    return store, props, merged, lopsided


def test_every_task_file_passes_the_ni_checks(workspace, tmp_path):
    store, props, merged, lopsided = workspace
    out = tmp_path / "ni"
    report = run_export(store, ExportOptions("superni", str(out), held_out=0.3, seed=2))
    files = sorted((out / "tasks").glob("task*.json"))
    assert files and check_folder(out) == {}
    # what the checks would refuse is left out, each with its reason
    assert len(files) + len(report.left_out_format) == len(SAMPLE_TASKS) + 2
    assert any("skewed" in why for why in report.left_out_format.values())
    assert any("distinct inputs" in why for why in report.left_out_format.values())
    # the report counts what the files hold: instances plus positive examples
    held = [json.loads(p.read_text()) for p in files]
    assert report.instances == sum(len(t["Instances"]) + len(t["Positive Examples"]) for t in held)
    assert report.tasks_written == len(files)


def test_repeated_inputs_merge_and_examples_stay_out_of_the_instances(workspace, tmp_path):
    store, _props, merged, _ = workspace
    out = tmp_path / "ni"
    run_export(store, ExportOptions("superni", str(out), datasets=[merged.dataset]))
    [path] = (out / "tasks").glob("task*.json")
    task = json.loads(path.read_text())
    assert path.name == path.name.lower() and path.name.startswith("task00001_")
    inputs = [x["input"] for x in task["Instances"]]
    assert len(inputs) == len(set(inputs)) == 200 - 2  # two became positive examples
    merged_outputs = {x["input"]: x["output"] for x in task["Instances"] if len(x["output"]) > 1}
    assert len(merged_outputs) == 50 and merged_outputs["Review text 0"] == ["positive", "negative"]
    assert {x["input"] for x in task["Positive Examples"]}.isdisjoint(inputs)
    [negative] = task["Negative Examples"]
    first = task["Positive Examples"][0]
    assert negative["input"] == first["input"] and negative["output"] != first["output"]
    assert negative["explanation"] and all(x["explanation"] for x in task["Positive Examples"])
    assert set(task["Categories"]) <= NI_CATEGORIES
    assert (out / "splits/default/test_tasks.txt").read_text() == ""  # written, empty
    assert (out / "tasks/README.md").read_text() == f"`{path.stem}`\n"


def test_include_invalid_writes_every_task_and_the_checks_catch_them(workspace, tmp_path):
    store, *_ = workspace
    out = tmp_path / "ni"
    report = run_export(store, ExportOptions("superni", str(out), include_invalid=True))
    assert not report.left_out_format
    failures = check_folder(out)
    assert len(list((out / "tasks").glob("task*.json"))) == len(SAMPLE_TASKS) + 2
    reasons = [r for rs in failures.values() for r in rs]
    assert any("instances (needs 26..6500)" in r for r in reasons)
    assert any("skewed" in r for r in reasons)


def test_the_checker_catches_what_the_old_writer_did(tmp_path):
    # an upper-case name, no negative example, a repeated input, a category NI lacks
    bad = {"Definition": ["Do it."], "Input_language": ["English"], "Output_language": ["English"],
           "Instruction_language": ["English"], "Positive Examples": [
               {"input": "a0", "output": "x", "explanation": ""}] * 2, "Negative Examples": [],
           "Instances": [{"id": f"i{n}", "input": f"a{n % 20}", "output": [str(n % 2)]}
                         for n in range(40)], "Contributors": [], "Categories": ["text-classification"],
           "Domains": [], "Source": [], "URL": [], "Reasoning": []}
    path = tmp_path / "task00001_Glue.json"
    path.write_text(json.dumps(bad))
    failures = check_task(path)
    assert "no negative example" in failures and "upper case in the file name" in failures
    assert any("repeated among the instances" in f for f in failures)
    assert any("not in the task hierarchy" in f for f in failures)
    assert any("positive example repeated" in f for f in failures)


def test_tk_instruct_loads_the_folder(workspace, tmp_path):
    from tkloader import load

    store, *_ = workspace
    out = tmp_path / "ni"
    run_export(store, ExportOptions("superni", str(out), held_out=0.5, seed=1))
    train = (out / "splits/default/train_tasks.txt").read_text().split()
    test = (out / "splits/default/test_tasks.txt").read_text().split()
    assert train and test and (out / "splits/default/dev_tasks.txt").read_text().split() == test
    ds = load(out, tmp_path / "cache")
    tasks = {p.stem: json.loads(p.read_text()) for p in (out / "tasks").glob("task*.json")}
    assert ds["train"].num_rows == sum(len(tasks[t]["Instances"]) for t in train)
    assert ds["test"].num_rows == sum(min(100, len(tasks[t]["Instances"])) for t in test)
    row = ds["train"][0]
    source = tasks[row["Task"]]
    assert row["Definition"] == source["Definition"]
    assert row["Instance"]["input"] == source["Instances"][0]["input"]
    assert row["Positive Examples"][0]["explanation"] and row["Negative Examples"]
    assert set(ds["train"]["Task"]).isdisjoint(ds["test"]["Task"])
