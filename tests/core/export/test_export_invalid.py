"""No error-flagged task in an export unless asked; held-out split by task or by dataset, with
the (input, output) overlap between the splits counted."""

from __future__ import annotations

import pytest

from dynotui.cli import main
from dynotui.core import sources
from dynotui.core.errors import ExportError
from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Proposal, Task, Verdict
from dynotui.core.store import Store
from exportkit import read_jsonl, write_jsonl

AMBIGUOUS = Verdict("ambiguous_target", False, "3 input(s) ...", "error")


def _add(store: Store, path, task: Task, verdicts=()) -> Proposal:
    meta = sources.load_meta(sources.parse_ref(f"local:{path}"), rows=3)
    store.save_meta(meta)
    prop = Proposal(meta.ref.id, task, config=meta.ref.config, revision=meta.ref.revision,
                    verdicts=list(verdicts))
    store.add_proposals([prop])
    store.decide(prop.id, "accept")
    return prop


@pytest.fixture
def ws(tmp_path):
    """Two datasets, two tasks each that give the same (input, output) pairs; one invalid task."""
    store = Store(tmp_path / "ws", annotator="ann")
    for name in ("one", "two"):
        data = write_jsonl(tmp_path / f"{name}.jsonl",
                           [{"q": f"{name} question {i}", "a": f"{name} answer {i}",
                             "premise": f"{name} premise {i // 3}"} for i in range(30)])
        _add(store, data, Task(f"Answer the {name} question.", ["q"], "a"))
        _add(store, data, Task(f"Answer this {name} question briefly.", ["q"], "a"))
        if name == "one":
            _add(store, data, Task("Guess the answer from the premise.", ["premise"], "a"),
                 [AMBIGUOUS])
    return store


def test_error_flagged_tasks_stay_out_unless_asked(ws, tmp_path):
    report = run_export(ws, ExportOptions("jsonl", str(tmp_path / "d.jsonl")))
    rows = read_jsonl(tmp_path / "d.jsonl")
    assert report.tasks == 4 and report.left_out_invalid == 1
    assert report.left_out_rules == {"ambiguous_target": 1}
    assert not any(r["instruction"].startswith("Guess") for r in rows)
    report = run_export(ws, ExportOptions("jsonl", str(tmp_path / "all.jsonl"),
                                          include_invalid=True))
    assert report.tasks == 5 and report.left_out_invalid == 0
    assert sum(r["instruction"].startswith("Guess") for r in read_jsonl(tmp_path / "all.jsonl")) == 30


def test_only_invalid_tasks_is_a_clear_error(ws, tmp_path):
    # every task but the flagged one rejected: nothing valid is left
    for p in ws.accepted():
        if not p.errors:
            ws.decide(p.id, "reject")
    with pytest.raises(ExportError, match="has error-level checks") as info:
        run_export(ws, ExportOptions("jsonl", str(tmp_path / "d.jsonl")))
    assert "--include-invalid" in info.value.hint
    assert not (tmp_path / "d.jsonl").exists()


def test_held_out_by_dataset_leaves_no_pair_in_both_splits(ws, tmp_path):
    by_task = [run_export(ws, ExportOptions("jsonl", str(tmp_path / f"t{s}.jsonl"), held_out=0.5,
                                            seed=s)) for s in range(6)]
    overlapping = [r for r in by_task if r.held_out_overlap]
    assert overlapping and all(r.held_out_overlap in (30, 60) for r in overlapping)
    for seed in range(6):
        r = run_export(ws, ExportOptions("jsonl", str(tmp_path / f"d{seed}.jsonl"), held_out=0.5,
                                         seed=seed, held_out_by="dataset"))
        assert (r.held_out_tasks, r.held_out_pairs, r.held_out_overlap) == (2, 30, 0)
        held = {x["instruction"].split()[2] for x in read_jsonl(tmp_path / f"d{seed}.held-out.jsonl")}
        train = {x["instruction"].split()[2] for x in read_jsonl(tmp_path / f"d{seed}.jsonl")}
        assert len(held) == 1 and not held & train  # one dataset, all of its tasks


def test_cli_says_what_it_left_out_and_the_overlap(ws, tmp_path, capsys):
    args = ["export", "--workspace", str(ws.workspace), "--annotator", "ann", "-f", "trl",
            "-o", str(tmp_path / "t.jsonl"), "--held-out", "0.5", "--seed"]
    seed = next(s for s in range(6) if run_export(ws, ExportOptions(
        "jsonl", str(tmp_path / "probe.jsonl"), held_out=0.5, seed=s)).held_out_overlap)
    assert main([*args, str(seed)]) == 0
    out = capsys.readouterr().out
    assert "left out 1 accepted task(s) with error-level checks (ambiguous_target 1); " \
           "--include-invalid exports them" in out
    assert "held-out (input, output) pairs also in train: " in out and " 0 of" not in out
    assert "--held-out-by dataset" in out
    assert main([*args, str(seed), "--held-out-by", "dataset", "--include-invalid"]) == 0
    out = capsys.readouterr().out
    assert "left out " not in out and "pairs also in train: 0 of " in out, out
