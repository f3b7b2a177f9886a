"""QA regressions: a damaged decisions file is named by line and export says what it left out."""

import pytest

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


def test_deciding_where_decisions_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    # Given a workspace whose annotator folder cannot be made (a file holds its name, as a
    # read-only mount would refuse it)
    from dynotui.core.errors import StoreError
    from dynotui.core.store.layout import annotator_dir

    ws, _ = _accepted_workspace(tmp_path)
    store = Store(ws, annotator="zoe")
    folder = annotator_dir(ws, "zoe")
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("in the way")
    [proposal] = store.proposals()
    # When a decision is made, then a StoreError says nothing was saved (no OSError trace)
    with pytest.raises(StoreError) as err:
        store.decide(proposal.id, "reject")
    assert "Cannot save decisions" in err.value.message and "nothing was saved" in err.value.hint
    store.close()
    # and the command says nothing was decided (no "ids printed above" when none were)
    assert main(["decide", proposal.id, "reject", "--annotator", "zoe",
                 "--workspace", str(ws)]) == 2
    assert "nothing was decided" in capsys.readouterr().err


def test_decide_with_a_negative_limit_is_refused_and_decides_nothing(tmp_path, capsys):
    # Given a workspace with an undecided proposal
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals([Proposal(dataset="sample:sst-mini",
                                  task=Task("Say if it is positive.", ["sentence"], "label"))])
    store.close()
    # When deciding with --limit -1, then it is an error and the proposal stays undecided
    assert main(["decide", "--status", "undecided", "--limit", "-1", "accept",
                 "--workspace", str(ws)]) == 2
    assert "--limit must be 0 or more" in capsys.readouterr().err
    assert set(Store(ws, annotator="ana").statuses().values()) <= {"undecided"}


def test_an_export_with_no_instances_leaves_an_existing_file_alone(tmp_path, capsys):
    # Given an accepted task on a dataset that cannot be read, and a previous export at PATH
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    [added] = store.add_proposals([Proposal(dataset=f"local:{tmp_path / 'gone.jsonl'}",
                                            task=Task("Say it.", ["a"], "b"))])
    store.decide(added.id, "accept")
    store.close()
    out = tmp_path / "train.jsonl"
    out.write_text('{"instruction": "kept from last time"}\n')
    # When exporting yields no instance, then PATH is untouched and the summary says so
    assert main(["export", "--format", "jsonl", "--out", str(out), "--workspace", str(ws),
                 "--annotator", "ana"]) == 1
    assert out.read_text() == '{"instruction": "kept from last time"}\n'
    assert "nothing written" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_export_never_renames_over_a_pipe_device_or_link(tmp_path, capsys, kind):
    # Given --out naming a FIFO (as /dev/full names a device) or a link to an older export
    import os

    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    [added] = store.add_proposals([Proposal(dataset="sample:sst-mini",
                                            task=Task("Is it positive?", ["sentence"], "label"))])
    store.decide(added.id, "accept")
    store.close()
    out = tmp_path / "out.jsonl"
    if kind == "fifo":
        os.mkfifo(out)
    else:
        (tmp_path / "real.jsonl").write_text("old\n")
        out.symlink_to(tmp_path / "real.jsonl")
    # When exporting there, then it is refused and the path is still what it was
    assert main(["export", "--format", "jsonl", "--out", str(out), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    if kind == "fifo":
        assert "not a regular file" in err and out.is_fifo()
    else:
        assert "symbolic link" in err and out.is_symlink() and out.read_text() == "old\n"


def test_stats_for_people_shows_hostile_dataset_names_as_inert_text(tmp_path, capsys):
    # Given an imported task whose task_name (the dataset) carries an OSC title sequence
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals([Proposal(dataset="hub:\x1b]0;pwn\x07[@click=app.quit]x[/]",
                                  task=Task("Name it \u202e.", ["a"], "b"))])
    store.close()
    # When stats are printed for a person, then no escape or bidi character is printed raw
    assert main(["stats", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\u202e")
    assert "\\x1b]0;pwn" in out


def test_importing_a_file_with_no_dynosaur_task_is_an_error_naming_its_keys(tmp_path, capsys):
    # Given an alpaca-style file passed to import-tasks by mistake
    path = tmp_path / "alpaca.json"
    path.write_text('[{"instruction": "a", "input": "b", "output": "c"}]')
    # When imported, then it fails naming the keys it found and the ones it needs
    assert main(["import-tasks", str(path), "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert "instruction, input, output" in err and "task_name" in err


def test_instances_are_not_built_from_image_or_audio_placeholders():
    # Given a task whose input is an Image field (rows hold "<Image, 66 bytes>" placeholders)
    from dynotui.core.instances import SKIP_MEDIA, Builder
    from dynotui.core.models import Feature

    features = [Feature("img", "Image"), Feature("caption", "string"),
                Feature("frames", "Sequence[Image]"), Feature("label", "ClassLabel", ["a", "b"])]
    row = {"img": "<Image, 66 bytes>", "caption": "a cat", "frames": ["<Image>"], "label": "a"}
    # When applied, then no instance is made and the reason says why; text fields still work
    assert Builder(Task("Name it.", ["img"], "label"), features).apply(row)[2] == SKIP_MEDIA
    assert Builder(Task("Name it.", ["frames"], "label"), features).apply(row)[2] == SKIP_MEDIA
    assert Builder(Task("Name it.", ["caption"], "label"), features).apply(row)[:2] == ("a cat", "a")


def test_dataset_filters_accept_the_relative_path_the_dataset_was_named_by(tmp_path, capsys,
                                                                          monkeypatch):
    # Given an accepted task on a local file, stored under its absolute local: id
    data = tmp_path / "data"
    data.mkdir()
    (data / "r.jsonl").write_text('{"q": "a?", "a": "1"}\n{"q": "b?", "a": "2"}\n')
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    [added] = store.add_proposals([Proposal(dataset=f"local:{data / 'r.jsonl'}", config="default",
                                            task=Task("Answer it.", ["q"], "a"))])
    store.close()
    monkeypatch.chdir(tmp_path)
    # When decide and export are filtered by the relative path a user typed
    assert main(["decide", "--dataset", "data/r.jsonl", "accept", "--annotator", "ana",
                 "--workspace", str(ws)]) == 0
    assert added.id in capsys.readouterr().out
    out = tmp_path / "o.jsonl"
    assert main(["export", "--format", "jsonl", "--out", str(out), "--dataset", "./data/r.jsonl",
                 "--workspace", str(ws)]) == 0
    # Then both find it
    assert len(out.read_text().splitlines()) == 2
