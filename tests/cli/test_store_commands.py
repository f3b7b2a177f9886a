"""The decide, import-tasks and stats commands, on the released Dynosaur task list."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dynotui.cli import main
from dynotui.core.models import DatasetMeta, DatasetRef, Feature, Proposal, Task
from dynotui.core.store import Store
from dynotui.core.generation.tasklist import split_task_names
from shareddata import release_file

RELEASE = release_file()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A workspace holding the whole released task list (imported once for this module)."""
    if not RELEASE.exists():
        pytest.skip(f"the released task list is not at {RELEASE} (set DYNOTUI_SHARED_DATA)")
    ws = tmp_path_factory.mktemp("release") / "ws"
    code = main(["import-tasks", str(RELEASE), "--workspace", str(ws), "--source", "dynosaur"])
    assert code == 0
    return ws


def test_given_release_when_imported_then_every_task_is_a_proposal(imported):
    entries = json.loads(RELEASE.read_text())
    store = Store(imported)
    props = store.proposals()
    assert len(entries) == len(props) == 5740
    assert {p.task_name for p in props} == {e["task_name"] for e in entries}
    assert all(p.source == "import:dynosaur" and p.variant == "import" for p in props)
    dup = [p for p in props if any(v.rule == "duplicate_instruction" for v in p.warnings)]
    assert len(dup) == 1928 and len({p.task.instruction for p in dup}) == 440
    sizes = Counter(p.task.instruction for p in props)
    assert all(f"used by {sizes[p.task.instruction]} tasks" in next(
        v.reason for v in p.warnings if v.rule == "duplicate_instruction") for p in dup)
    multi = [p for p in props if any(v.rule == "multiple_output_fields" for v in p.errors)]
    assert len(multi) == sum(len(e["output_field"]) > 1 for e in entries)
    glue = [p for p in props if p.task_name == "glue-sst2"][0]
    assert (glue.dataset, glue.config, glue.task.output_field) == ("hub:glue", "sst2", "sentence")
    assert json.loads(glue.raw_answer)["task_name"] == "glue-sst2"


def test_given_imported_release_when_imported_again_then_nothing_new(imported, capsys):
    code, out, _ = run(capsys, "import-tasks", str(RELEASE), "--workspace", str(imported), "--json")
    report = json.loads(out)
    assert code == 0 and report["imported"] == 0 and report["already_present"] == 5740
    assert (report["configs"], report["duplicate_groups"], report["duplicate_tasks"]) == (2061, 440, 1928)


def test_task_names_split_into_dataset_and_config():
    names = ["bigscience/P3-glue_mrpc_same", "bigscience/P3-ag_news_x", "glue-sst2", "glue-mrpc",
             "codeparrot/github-code-clean-Java-all", "codeparrot/github-code-clean-C-mit",
             "UCL-DARK/ludwig-0-shot", "UCL-DARK/ludwig-5-shot", "glucose", "MicPie/unpredictable_a-com"]
    split = split_task_names(names)
    assert split["bigscience/P3-glue_mrpc_same"] == ("bigscience/P3", "glue_mrpc_same")
    assert split["glue-sst2"] == ("glue", "sst2")
    assert split["codeparrot/github-code-clean-Java-all"] == ("codeparrot/github-code-clean", "Java-all")
    assert split["UCL-DARK/ludwig-5-shot"] == ("UCL-DARK/ludwig", "5-shot")
    assert split["glucose"] == ("glucose", None)
    assert split["MicPie/unpredictable_a-com"] == ("MicPie/unpredictable_a-com", None)
    assert len({v for v in split.values()}) == len(names)  # never two names on one config


def test_given_cached_meta_when_importing_then_fields_are_checked(tmp_path, capsys):
    ws = tmp_path / "ws"
    meta = DatasetMeta(ref=DatasetRef("hub", "glue", "sst2"), name="glue-sst2",
                       features=[Feature("sentence", "string"), Feature("label", "ClassLabel",
                                                                        ["negative", "positive"])])
    Store(ws).save_meta(meta)
    tasks = [{"task_name": "glue-sst2", "instruction": "Guess the sentiment of the sentence.",
              "input_fields": ["sentence"], "output_field": ["label"]},
             {"task_name": "glue-sst2", "instruction": "Write the review's title for it.",
              "input_fields": ["sentence"], "output_field": ["title"]},
             {"task_name": "glue-mrpc", "instruction": "Write the review's title for it.",
              "input_fields": ["sentence1"], "output_field": ["title"]},
             "not a task",
             {"task_name": "glue-mrpc", "instruction": "Write the review's title for it.",
              "input_fields": ["sentence1"], "output_field": ["title"]}]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    code, out, err = run(capsys, "import-tasks", str(path), "--workspace", str(ws))
    assert code == 0 and "3 imported" in out and "entry 4" in err
    assert "(1 repeated within the file)" in out
    code, out, _ = run(capsys, "decide", "reject", "--dataset", "glue-mrpc", "--workspace", str(ws))
    assert code == 0 and len(out.splitlines()) == 1
    code, out, err = run(capsys, "decide", "accept", "--dataset", "hub:glue/sst2", "--workspace", str(ws))
    assert code == 0 and len(out.splitlines()) == 1  # the unknown_field one is left out
    assert "skipped 1 of 2 proposals with error-level checks" in err
    props = {(p.task_name, p.task.output_field): p for p in Store(ws).proposals()}
    assert props[("glue-sst2", "label")].valid
    assert [v.rule for v in props[("glue-sst2", "title")].errors] == ["unknown_field"]
    assert props[("glue-mrpc", "title")].valid  # no metadata cached: fields cannot be checked
    assert props[("glue-mrpc", "title")].source == "import:tasks"


@pytest.mark.parametrize("content, what", [("{nope", "not valid JSON"), ('{"a": 1}', "not a JSON list")])
def test_given_bad_task_list_then_clear_error(tmp_path, capsys, content, what):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, err = run(capsys, "import-tasks", str(path), "--workspace", str(tmp_path / "ws"))
    assert code == 2 and what in err and str(path) in err


@pytest.fixture
def small(tmp_path):
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals([Proposal(dataset=f"sample:{ds}", task=Task(text, ["text"], "label"),
                                  model=model, variant="aware", tokens_in=100, tokens_out=20,
                                  cost_usd=0.01)
                         for ds, text, model in [("a", "Classify the tone of the text.", "m1"),
                                                 ("a", "Summarise the text briefly.", "m1"),
                                                 ("b", "Classify the topic of the text.", "m2"),
                                                 ("b", "Classify the tone of the text.", "m2")]])
    return ws


def test_given_filters_when_deciding_then_each_id_printed_and_recorded(small, capsys):
    ws = ["--workspace", str(small), "--annotator", "bob"]
    code, out, _ = run(capsys, "decide", "reject", "--match", "^Classify", "--dataset", "a",
                       "--reason", "1", "--note", "too vague", *ws)
    ids = [line.split("\t")[0] for line in out.splitlines()]
    assert code == 0 and len(ids) == 1 and out.endswith("\treject\n")
    store = Store(small, annotator="bob")
    event = store.events(ids[0])[0]
    assert (event.annotator, event.reason, event.note) == ("bob", "vague instruction", "too vague")
    code, out, _ = run(capsys, "decide", "accept", "--status", "undecided", *ws)
    assert code == 0 and len(out.splitlines()) == 3
    code, out, err = run(capsys, "decide", "accept", "--status", "undecided", *ws)
    assert code == 1 and "no proposal matches" in err
    code, out, _ = run(capsys, "decide", ids[0][:6], "skip", *ws)
    assert code == 0 and store.status(ids[0]) == "skipped"
    code, out, _ = run(capsys, "decide", "undo", *ws)
    assert code == 0 and store.status(ids[0]) == "rejected"
    assert store.status(ids[0], "ana") == "undecided"


@pytest.mark.parametrize("argv, what", [
    (["decide", "accept"], "No proposal id and no filter"),
    (["decide", "approve"], "Expected [ID] ACTION"),
    (["decide", "zz", "accept"], "No proposal id starts with 'zz'"),
    (["decide", "accept", "--match", "("], "not a valid regular expression"),
    (["decide", "reject", "--match", "x", "--reason", "42"], "not in the list"),
])
def test_given_bad_decide_arguments_then_clear_error(small, capsys, argv, what):
    code, _, err = run(capsys, *argv, "--workspace", str(small))
    assert code == 2 and what in err


def test_given_decisions_when_stats_json_then_counts_add_up(small, capsys):
    store = Store(small, annotator="ana")
    a1, a2, b1, b2 = sorted(store.proposals(), key=lambda p: (p.dataset, p.task.instruction))
    store.decide(a1.id, "accept", seconds=2)
    store.decide(a2.id, "reject", seconds=4)
    store.decide(b1.id, "accept", seconds=9)
    store.decide(b2.id, "flag")
    code, out, _ = run(capsys, "stats", "--json", "--workspace", str(small))
    data = json.loads(out)
    assert code == 0 and data["proposals"] == 4
    assert data["by_status"] == {"undecided": 1, "accepted": 2, "rejected": 1, "skipped": 0, "edited": 0}
    assert data["acceptance_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert data["datasets"]["sample:a"]["accepted"] == 1 and data["by_model"]["m2"]["proposals"] == 2
    assert data["by_variant"]["aware"]["proposals"] == 4
    assert data["decisions"]["median_seconds"] == 4 and data["flagged"] == 1
    assert data["duplicates"] == {"exact": 2, "exact_groups": 1, "near": None}
    assert data["tokens"] == {"in": 400, "out": 80, "total": 480}
    assert data["cost_usd"] == pytest.approx(0.04)


def test_given_markup_in_names_when_stats_printed_then_shown_as_text(tmp_path, capsys):
    ws = tmp_path / "ws"
    Store(ws).add_proposals([Proposal(dataset="local:[bold red]x[/]", model="[@click=app.quit]m[/]",
                                      task=Task("Do it now please.", ["a"], "b"))])
    code, out, _ = run(capsys, "stats", "--workspace", str(ws))
    assert code == 0 and "[@click=app.quit]m[/]" in out and "local:[bold red]x[/]" in out


def test_given_crawled_default_config_when_importing_then_fields_are_checked(tmp_path, capsys):
    # the crawl stores a dataset without configs under `default`; the release names it bare
    ws = tmp_path / "ws"
    store = Store(ws)
    store.save_meta(DatasetMeta(ref=DatasetRef("hub", "org/reviews", "default"), name="org/reviews",
                                features=[Feature("text", "string"), Feature("stars", "int64")]))
    store.save_meta(DatasetMeta(ref=DatasetRef("hub", "org/single", "only"), name="org/single",
                                features=[Feature("question", "string")]))
    tasks = [{"task_name": "org/reviews", "instruction": "Rate the review from one to five.",
              "input_fields": ["text"], "output_field": ["stars"]},
             {"task_name": "org/reviews", "instruction": "Write the review's title for it.",
              "input_fields": ["text"], "output_field": ["title"]},
             {"task_name": "org/single", "instruction": "Answer the question in one word.",
              "input_fields": ["question"], "output_field": ["answer"]},
             {"task_name": "org/uncached", "instruction": "Answer the question in one word.",
              "input_fields": ["question"], "output_field": ["answer"]}]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks))
    code, out, _ = run(capsys, "import-tasks", str(path), "--workspace", str(ws), "--json")
    assert code == 0 and json.loads(out)["validated_with_meta"] == 3
    props = {(p.task_name, p.task.output_field): p for p in Store(ws).proposals()}
    assert props[("org/reviews", "stars")].valid
    assert [v.rule for v in props[("org/reviews", "title")].errors] == ["unknown_field"]
    assert [v.rule for v in props[("org/single", "answer")].errors] == ["unknown_field"]
    assert props[("org/uncached", "answer")].valid  # nothing cached: fields not checked
    assert props[("org/reviews", "stars")].config is None  # the id stays as the release names it
