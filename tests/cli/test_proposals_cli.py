"""`dynotui proposals` lists what Review shows; bulk `decide accept` leaves out invalid tasks."""

from __future__ import annotations

import json

import pytest

from dynotui.cli import main
from dynotui.core.models import Proposal, Task, Verdict
from dynotui.core.store import Store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "ws"
    leak = Verdict("io_overlap", False, "'label' is both input and output", "error")
    short = Verdict("short_instruction", False, "only 3 words", "warning")
    Store(path, annotator="ana").add_proposals([
        Proposal(dataset="hub:org/nli", config="default", model="m1", variant="aware",
                 task=Task("Label the pair.\tNow!", ["premise", "label"], "label"),
                 verdicts=[leak, short], created=1.0),
        Proposal(dataset="hub:org/nli", config="default", model="m1", variant="aware",
                 task=Task("Does the premise entail the hypothesis?", ["premise", "hypothesis"],
                           "label"), created=2.0),
        Proposal(dataset="sample:sst-mini", source="import:x", variant="import",
                 task=Task("Classify the sentiment of the text.", ["text"], "label"),
                 verdicts=[Verdict("ambiguous_target", False, "2 input(s) ...", "error")],
                 created=3.0)])
    return path


def test_given_proposals_when_listed_as_json_then_every_field_and_check_is_there(ws, capsys):
    code, out, _ = run(capsys, "proposals", "--json", "--workspace", str(ws))
    rows = json.loads(out)
    assert code == 0 and [r["instruction"][:5] for r in rows] == ["Label", "Does ", "Class"]
    first = rows[0]
    assert {k: first[k] for k in ("dataset", "config", "input_fields", "output_field", "status",
                                  "source", "model", "variant")} == {
        "dataset": "hub:org/nli", "config": "default", "input_fields": ["premise", "label"],
        "output_field": "label", "status": "undecided", "source": "llm", "model": "m1",
        "variant": "aware"}
    assert first["errors"] == [{"code": "io_overlap", "level": "error",
                                "message": "'label' is both input and output"}]
    assert first["warnings"] == [{"code": "short_instruction", "level": "warning",
                                  "message": "only 3 words"}]
    assert first["id"] in Store(ws).ids()
    assert rows[1]["errors"] == rows[1]["warnings"] == []


def test_given_filters_when_listed_then_only_matching_proposals(ws, capsys):
    store = Store(ws, annotator="ana")
    nli = [p for p in store.proposals() if p.dataset == "hub:org/nli"]
    store.decide(nli[1].id, "reject")
    code, out, _ = run(capsys, "proposals", "--dataset", "org/nli", "--json",
                       "--workspace", str(ws), "--annotator", "ana")
    assert [r["status"] for r in json.loads(out)] == ["undecided", "rejected"]
    code, out, _ = run(capsys, "proposals", "--status", "rejected", "--workspace", str(ws),
                       "--annotator", "ana")
    [line] = out.splitlines()
    cells = line.split("\t")
    assert cells[:3] == [nli[1].id, "rejected", "hub:org/nli/default"] and cells[4] == "ok"
    code, out, _ = run(capsys, "proposals", "--status", "undecided", "--workspace", str(ws),
                       "--annotator", "ana")
    first = out.splitlines()[0].split("\t")
    assert len(first) == 6 and first[4] == "E:io_overlap W:short_instruction"
    assert first[5] == "Label the pair. Now!"  # a tab in the text does not add a column
    code, out, err = run(capsys, "proposals", "--dataset", "nope", "--workspace", str(ws))
    assert code == 0 and out == "" and "no proposal matches" in err


def test_given_invalid_proposals_when_bulk_accepting_then_skipped_unless_forced(ws, capsys):
    args = ["--workspace", str(ws), "--annotator", "ana"]
    code, out, err = run(capsys, "decide", "accept", "--status", "undecided", *args)
    assert code == 0 and len(out.splitlines()) == 1
    assert "skipped 2 of 3 proposals with error-level checks" in err and "--force" in err
    store = Store(ws, annotator="ana")
    assert [p.task.instruction[:4] for p in store.accepted()] == ["Does"]
    code, out, err = run(capsys, "decide", "accept", "--status", "undecided", "--force", *args)
    assert code == 0 and len(out.splitlines()) == 2 and "accepting 2 proposal(s)" in err
    assert len(store.accepted()) == 3


def test_given_only_invalid_proposals_when_bulk_accepting_then_nothing_and_exit_1(ws, capsys):
    code, out, err = run(capsys, "decide", "accept", "--match", "^(Label|Classify)",
                         "--workspace", str(ws))
    assert code == 1 and out == "" and "skipped 2 of 2" in err


def test_given_one_invalid_id_when_accepting_then_accepted_with_a_warning(ws, capsys):
    pid = next(p.id for p in Store(ws).proposals() if p.errors)
    code, out, err = run(capsys, "decide", pid[:8], "accept", "--workspace", str(ws))
    assert code == 0 and out == f"{pid}\taccept\n" and "--include-invalid" in err
