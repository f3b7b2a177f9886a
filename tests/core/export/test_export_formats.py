"""Each export format, written from a real workspace over the bundled samples and loaded back
with what its users load it with (json, datasets)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dynotui.core.export import ExportOptions, run_export
from exportkit import SAMPLE_TASKS, read_jsonl, sample_workspace

FIELDS = {"instruction", "input", "output", "license", "website", "taskname"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    store, props = sample_workspace(tmp_path_factory.mktemp("ws"))
    return store, props


def expected_per_task(store, props) -> dict[str, int]:
    """Rows in each task's train split (the samples have no empty cells in task fields)."""
    out = {}
    for p in props:
        meta = store.load_meta(f"{p.dataset}/{p.config}")
        out[p.id] = meta.splits["train"]
    return out


def test_alpaca_is_one_json_list_with_the_dynosaur_fields(workspace, tmp_path):
    store, props = workspace
    # when exported as alpaca
    report = run_export(store, ExportOptions("alpaca", str(tmp_path / "data.json")))
    # then json.load gives a list of records with exactly the six fields
    data = json.loads((tmp_path / "data.json").read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == report.instances
    assert all(set(r) == FIELDS for r in data)
    assert report.tasks == report.tasks_written == len(SAMPLE_TASKS)
    assert report.instances == sum(expected_per_task(store, props).values())
    # and licenses travel with each row
    assert {r["license"] for r in data if r["instruction"].startswith("Name the intent")} == {"apache-2.0"}
    assert report.paths == [str(tmp_path / "data.json")]
    assert not report.failed_datasets


def test_instances_follow_the_method(workspace, tmp_path):
    store, _ = workspace
    run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl")))
    rows = read_jsonl(tmp_path / "d.jsonl")
    by_instruction = {}
    for r in rows:
        by_instruction.setdefault(r["instruction"], []).append(r)
    choice = by_instruction["Choose the letter of the correct answer."][0]
    assert " choices is A. '" in choice["input"] and choice["output"] in "ABCD"
    qa = by_instruction["Answer the question using the context."][0]
    assert qa["input"].startswith("question is '") and ". context is '" in qa["input"]
    sentiment = {r["output"] for r in by_instruction[SAMPLE_TASKS[0][2].instruction]}
    assert sentiment <= {"positive", "negative"} and len(sentiment) == 2  # ClassLabel names


def test_jsonl_loads_with_datasets(workspace, tmp_path):
    import datasets

    store, _ = workspace
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "d.jsonl")))
    ds = datasets.load_dataset("json", data_files=str(tmp_path / "d.jsonl"), split="train",
                               cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == report.instances
    assert set(ds.column_names) == FIELDS


def test_sharegpt_is_human_then_gpt(workspace, tmp_path):
    store, _ = workspace
    report = run_export(store, ExportOptions("sharegpt", str(tmp_path / "s.json")))
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert len(data) == report.instances
    for record in data:
        human, gpt = record["conversations"]
        assert human["from"] == "human" and gpt["from"] == "gpt"
        assert human["value"].strip() and gpt["value"].strip()


def test_messages_is_openai_chat_jsonl(workspace, tmp_path):
    store, _ = workspace
    report = run_export(store, ExportOptions("messages", str(tmp_path / "m.jsonl")))
    lines = read_jsonl(tmp_path / "m.jsonl")
    assert len(lines) == report.instances
    for line in lines:
        assert list(line) == ["messages"]
        assert [m["role"] for m in line["messages"]] == ["user", "assistant"]
        assert all(isinstance(m["content"], str) and m["content"] for m in line["messages"])
    # the user turn is the instruction, a blank line, then the input
    assert lines[0]["messages"][0]["content"].count("\n\n") >= 1


def test_hf_folder_loads_with_datasets(workspace, tmp_path):
    import datasets

    store, _ = workspace
    out = tmp_path / "hf"
    report = run_export(store, ExportOptions("hf", str(out), held_out=0.25, seed=1))
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "test"}
    assert set(ds["train"].column_names) == FIELDS
    assert ds["train"].num_rows == report.by_split["train"]
    assert ds["test"].num_rows == report.by_split["held_out"]
    assert not set(ds["train"]["taskname"]) & set(ds["test"]["taskname"])
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "configs:" in card and "sample:sst-mini/default" in card
    assert list((out / "data").glob("train-00000-of-00001.parquet"))


def test_a_second_export_replaces_the_first(workspace, tmp_path):
    store, _ = workspace
    out = tmp_path / "hf"
    run_export(store, ExportOptions("hf", str(out), datasets=["sample:sst-mini"]))
    report = run_export(store, ExportOptions("hf", str(out), datasets=["sst-mini", "news-topics"]))
    names = Counter(p.name.split("-")[0] for p in (out / "data").iterdir())
    assert names == {"train": 1} and report.tasks == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_folder_formats_refuse_a_folder_that_is_not_an_export(workspace, tmp_path):
    from dynotui.core.errors import ExportError

    store, _ = workspace
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("precious")
    with pytest.raises(ExportError, match="not written by dynotui export"):
        run_export(store, ExportOptions("superni", str(mine)))
    assert (mine / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_output_paths_are_as_reported(workspace, tmp_path):
    store, _ = workspace
    report = run_export(store, ExportOptions("jsonl", str(tmp_path / "sub" / "d.jsonl"),
                                             held_out=0.3))
    assert report.paths == [str(tmp_path / "sub" / "d.jsonl"),
                            str(tmp_path / "sub" / "d.held-out.jsonl")]
    assert all(Path(p).stat().st_size > 0 for p in report.paths)


def test_fast_line_encoding_equals_json_dumps_of_the_record():
    from dynotui.core.export.writers import RECORDS, TaskInfo, line_encoder, record_of

    info = TaskInfo("id", 'name "q"\u2028', 'Do "this"\n\\ now é 🦕\t', "d", license="mit",
                    website="https://example.org/x?y=1")
    for fmt, style in [*((f, "conversational") for f in RECORDS), ("trl", "plain")]:
        for inp, out in [("a\x1b[31m</script>", "b\x00"), ("多 language\r\n", "[bold]x[/]"),
                         ("x", "\n  indented"), ("x", "")]:
            line = line_encoder(fmt, info, style)(inp, out)
            inst = {"instruction": info.instruction, "input": inp, "output": out}
            assert json.loads(line) == record_of(fmt, style)(info, inst), fmt
            assert "\n" not in line  # one record per line, whatever the text holds
