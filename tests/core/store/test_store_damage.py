"""Damage that leaves valid-looking files: lost events are noticed (checkpoints), records of
the wrong shape are reported by file and line and skipped; nothing is rewritten."""

from __future__ import annotations

import json

import pytest

from dynotui.cli import main
from dynotui.core.errors import StoreError
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from dynotui.core.store.layout import dataset_path

EVENTS = 52


def _props(dataset: str, n: int) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Summarise article {i}.", ["article"], "summary"))
            for i in range(n)]


@pytest.fixture
def ws(tmp_path):
    """52 decisions of ana in one file, 3 of bob in another."""
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana", session="one")
    store.add_proposals(_props("hub:org/a", EVENTS) + _props("hub:org/b", 3))
    for p in store.proposals("hub:org/a"):
        store.decide(p.id, "accept")
    store.close()
    bob = Store(ws, annotator="bob", session="two")
    for p in bob.proposals("hub:org/b"):
        bob.decide(p.id, "reject")
    bob.close()
    return ws


def _ana_file(ws):
    return next((ws / "decisions").rglob("one-0001.jsonl"))


DAMAGE = {  # name: (damage, events left, events lost)
    "emptied": (lambda raw: b"", 0, 52),
    "cut in half": (lambda raw: raw[: len(raw) // 2], None, None),
    "missing its last 40 bytes": (lambda raw: raw[:-40], 51, 1),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_file_shorter_than_its_checkpoint_is_reported_by_name(ws, capsys, damage):
    # given ana's file damaged after the fact
    path = _ana_file(ws)
    cut, left, lost = DAMAGE[damage]
    raw = cut(path.read_bytes())
    path.write_bytes(raw)
    if left is None:  # whole lines left after the header
        left = raw[: raw.rfind(b"\n") + 1].count(b"\n") - 1
        lost = EVENTS - left
    # when the workspace is read
    store = Store(ws, annotator="check")
    problems = [p.message for p in store.problems]
    # then the loss is reported by name, exactly once, and every event left still counts
    assert problems == [f"Store file {path} holds {left} decision events but its checkpoint "
                        f"says {EVENTS}: at least {lost} lost (the file was emptied or cut short)."]
    assert len(store.events()) == left + 3
    assert {store.status(p.id, "bob") for p in store.proposals("hub:org/b")} == {"rejected"}
    # and stats says so, as text and as JSON, and export warns
    assert main(["stats", "--workspace", str(ws)]) == 0
    assert f"problem: Store file {path} holds {left}" in capsys.readouterr().out.replace("\n", "")
    assert main(["stats", "--workspace", str(ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["problems"][0].startswith(problems[0])
    main(["export", "--workspace", str(ws), "--format", "jsonl", "--out", str(ws.parent / "out.jsonl")])
    err = capsys.readouterr().err.replace("\n", "")
    assert f"dynotui: warning: Store file {path} holds {left}" in err
    # and nothing was changed: not the file, and no new writer continues it
    assert path.read_bytes() == raw
    ana = Store(ws, annotator="ana")
    ana.decide(store.proposals("hub:org/a")[0].id, "skip")
    assert path.read_bytes() == raw


def test_a_torn_last_line_from_a_crash_stays_quiet(ws):
    # given a writer killed in the middle of appending (its event was never acknowledged)
    path = _ana_file(ws)
    with open(path, "ab") as fh:
        fh.write(b'{"proposal":"x","action":"acc')
    # when read, then all acknowledged events count and nothing is reported
    store = Store(ws, annotator="check")
    assert store.problems == [] and len(store.events()) == EVENTS + 3


def test_a_changed_event_is_reported(ws):
    path = _ana_file(ws)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"accept"', b'"reject"', 1))
    store = Store(ws, annotator="check")
    assert [p.message for p in store.problems] == [
        f"Store file {path} differs from its checkpoint in its first {len(raw)} bytes (events "
        "were changed or removed)."]


@pytest.mark.parametrize("field, value, says", [
    ("ts", "yesterday", "ts is 'yesterday', not a time stamp (seconds since 1970)"),
    ("action", ["accept"], "action is ['accept'], not one of accept, reject, skip, flag, unflag, "
                           "edit, undo"),
])
def test_an_event_of_the_wrong_shape_is_reported_by_line_and_skipped(tmp_path, field, value, says):
    # given an events file whose third line is valid JSON of the wrong shape
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana", session="s")
    pids = [p.id for p in store.add_proposals(_props("hub:org/a", 3))]
    for pid in pids:
        store.decide(pid, "accept")
    store.close()
    path = next((ws / "decisions").rglob("s-0001.jsonl"))
    lines = path.read_bytes().split(b"\n")
    event = json.loads(lines[2])
    event[field] = value
    lines[2] = json.dumps(event).encode()
    path.write_bytes(b"\n".join(lines))
    damaged = path.read_bytes()
    # when read
    store = Store(ws, annotator="ana")
    # then the record is named by file and line, skipped, and the others count
    messages = [p.message for p in store.problems]
    assert len(messages) == 1 and messages[0].startswith(f"Store file {path} ")
    assert messages[0].endswith(f"has 1 record of the wrong shape, skipped: line 3: {says}.")
    assert [store.status(pid) for pid in pids] == ["accepted", "undecided", "accepted"]
    store.decide(pids[1], "reject")  # a new decision goes to a new file
    assert path.read_bytes() == damaged and store.status(pids[1]) == "rejected"


def test_a_proposal_record_of_the_wrong_shape_is_skipped_and_its_file_never_rewritten(ws, capsys):
    # given a dataset file holding a record that is not a proposal
    path = dataset_path(ws, "hub:org/b")
    data = json.loads(path.read_bytes())
    data["proposals"]["9"] = "notadict"
    path.write_text(json.dumps(data))
    damaged = path.read_bytes()
    # when read, then that record is named and skipped, the others count
    store = Store(ws, annotator="ana")
    assert [p.message for p in store.problems] == [
        f"Store file {path} has 1 record of the wrong shape, skipped: proposal record 9: not a "
        "proposal object but a string."]
    assert len(store.proposals("hub:org/b")) == 3 and store.count_proposals() == EVENTS + 3
    assert main(["stats", "--workspace", str(ws), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["problems"]) == 1
    # and a write to that dataset (generate --force, import) is refused, naming the file
    with pytest.raises(StoreError) as err:
        store.add_proposals(_props("hub:org/b", 5))
    assert err.value.message.startswith(f"Store file {path} has 1 record of the wrong shape")
    assert err.value.message.endswith("Nothing was written to it.") and "mv" in err.value.hint
    assert path.read_bytes() == damaged
    # while other datasets take new proposals as before
    assert len(store.add_proposals(_props("hub:org/c", 2))) == 2


def _tree(ws) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted(ws.rglob("*"))
            if p.is_file() and p.name != ".lock" and "cache" not in p.parts}


def test_a_deleted_file_whose_checkpoint_remains_is_reported_by_name(ws, capsys):
    # given ana's decisions file deleted, its checkpoint left beside it
    path = _ana_file(ws)
    checkpoint = path.with_name(f".{path.name}.ckpt")
    path.unlink()
    before = _tree(ws)
    # when the workspace is read
    store = Store(ws, annotator="check")
    # then the loss is reported by name with the count the checkpoint holds, exactly once
    message = (f"Store file {path} is missing but its checkpoint says it held {EVENTS} decision "
               f"events: {EVENTS} lost (the file was deleted or moved).")
    assert [p.message for p in store.problems] == [message]
    assert store.problems[0].hint.endswith(f"delete its checkpoint too: rm '{checkpoint}'")
    # and everything else counts as before: bob's events, every proposal
    assert len(store.events()) == 3 and store.count_proposals() == EVENTS + 3
    assert {store.status(p.id, "bob") for p in store.proposals("hub:org/b")} == {"rejected"}
    # and stats says so, as text and as JSON, and export warns
    assert main(["stats", "--workspace", str(ws)]) == 0
    assert f"problem: {message}" in capsys.readouterr().out.replace("\n", "")
    assert main(["stats", "--workspace", str(ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["problems"] == [str(store.problems[0])]
    main(["export", "--workspace", str(ws), "--format", "jsonl", "--out", str(ws.parent / "o.jsonl")])
    assert f"dynotui: warning: {message}" in capsys.readouterr().err.replace("\n", "")
    # and nothing was changed: no file recreated, the checkpoint kept, nothing else touched
    assert _tree(ws) == before and not path.exists() and checkpoint.exists()
    # and once the checkpoint is removed as the hint says, the report goes
    checkpoint.unlink()
    assert Store(ws, annotator="check").problems == []


def test_a_decisions_file_moved_aside_in_its_folder_is_not_reported_as_lost(ws):
    path = _ana_file(ws)
    path.rename(path.with_suffix(".bad"))  # what the hints say to do with a broken file
    store = Store(ws, annotator="check")
    assert store.problems == [] and len(store.events()) == 3
