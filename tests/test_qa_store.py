"""QA regressions: a damaged decisions file is named by line and export says what it left out."""

from dynotui.cli import main
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store


def _accepted_workspace(tmp_path):
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana", session="one")
    [added] = store.add_proposals([Proposal(dataset="sample:sst-mini",
                                            task=Task("Is the review positive or negative?",
                                                      ["sentence"], "label"))])
    store.decide(added.id, "accept")
    store.close()
    return ws, next((ws / "decisions").rglob("one-0001.jsonl"))


def test_a_bad_line_in_a_decisions_file_is_named_with_its_line_and_the_fix(tmp_path):
    # Given a decisions file with a damaged line after its good events
    ws, path = _accepted_workspace(tmp_path)
    path.write_bytes(path.read_bytes() + b"garbage\n")
    before = path.read_bytes()
    # When the workspace opens, then the problem names line 3 and says to fix that line
    store = Store(ws, annotator="ana")
    [problem] = store.problems
    assert "line 3" in problem.message and str(path) in problem.message
    assert "Fix or delete line 3" in problem.hint
    store.close()
    assert path.read_bytes() == before


def test_export_warns_when_a_damaged_file_keeps_decisions_out(tmp_path, capsys):
    # Given an accepted task whose decision file is damaged
    ws, path = _accepted_workspace(tmp_path)
    path.write_bytes(path.read_bytes() + b"garbage\n")
    out = tmp_path / "out.jsonl"
    # When exporting, then stderr names the file and says its decisions are not exported
    main(["export", "--format", "jsonl", "--out", str(out), "--workspace", str(ws)])
    err = capsys.readouterr().err
    assert str(path) in err and "not in this export" in err
