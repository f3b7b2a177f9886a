"""An edit that was undone leaves its new version on file, but counted nowhere (stats, decide,
export, review queue); editing again brings it back."""

from __future__ import annotations

import pytest

from dynotui.cli import main
from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Proposal, Task
from dynotui.core.stats import compute
from dynotui.core.store import Store
from exportkit import add_task, read_jsonl

EDITED = Task("Classify the review as positive or negative.", ["text"], "label")


def props(n: int) -> list[Proposal]:
    return [Proposal(dataset="sample:demo", task=Task(f"Label review {i} by its sentiment.",
                                                      ["text"], "label"), model="m")
            for i in range(n)]


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "ws", annotator="ana", session="s1")
    s.add_proposals(props(4))
    yield s
    s.close()


def test_given_edit_undone_when_stats_computed_then_the_new_version_is_not_counted(store):
    pid = store.proposals()[0].id
    new = store.edit(pid, EDITED)
    assert compute(store)["proposals"] == 5  # while the edit stands: old (edited) + new version
    # when the edit is undone
    store.undo()
    stats = compute(store)
    # then the version stays on file but stats count what the review queue shows
    assert store.count_proposals() == 5 and new.id in store.retracted()
    assert stats["proposals"] == 4
    assert stats["by_status"]["undecided"] == 4 and stats["by_status"]["accepted"] == 0
    assert stats["datasets"]["sample:demo"]["proposals"] == 4
    assert [p.id for p in store.undecided()] == [p.id for p in props(4)]
    assert new.id not in {p.id for p in store.live_proposals()}


def test_given_edit_undone_then_made_again_when_counted_then_the_version_is_back(store):
    pid = store.proposals()[0].id
    new = store.edit(pid, EDITED)
    store.undo()
    # when the same edit is made again (same content: the same version id)
    again = store.edit(pid, EDITED)
    assert again.id == new.id and store.retracted() == set()
    stats = compute(store)
    # then it counts again: 5 proposals, 1 accepted (the version), 1 edited, 3 undecided
    assert stats["proposals"] == 5
    assert stats["by_status"] == {"undecided": 3, "accepted": 1, "rejected": 0, "skipped": 0,
                                  "edited": 1}
    assert [p.id for p in store.accepted()] == [new.id]


def test_given_undone_version_when_another_process_reads_then_it_is_retracted_too(store, tmp_path):
    pid = store.proposals()[0].id
    new = store.edit(pid, EDITED)
    store.undo()
    # when another annotator's process opens the workspace (events read from disk)
    other = Store(tmp_path / "ws", annotator="bob")
    try:
        assert new.id in other.retracted() and len(other.live_proposals()) == 4
        # and an explicit decision on the version makes it a proposal again
        other.decide(new.id, "reject")
        assert new.id not in other.retracted() and len(other.live_proposals()) == 5
    finally:
        other.close()


def test_given_imported_version_without_edit_events_then_it_is_live(store):
    # a version that arrived with its parent id (import) but no edit event here is a proposal
    child = Proposal(dataset="sample:demo", task=EDITED, parent=store.proposals()[0].id,
                     version=2, source="import:x")
    store.add_proposals([child])
    assert child.id in {p.id for p in store.live_proposals()} and store.retracted() == set()


def test_given_edit_undone_when_decide_status_undecided_then_the_version_is_not_listed(
        store, tmp_path, capsys):
    pid = store.proposals()[0].id
    new = store.edit(pid, EDITED)
    store.undo()
    store.close()
    # when the CLI lists undecided proposals (dry run)
    code = main(["decide", "accept", "--status", "undecided", "--dry-run",
                 "--workspace", str(tmp_path / "ws"), "--annotator", "ana"])
    out = capsys.readouterr().out
    # then the four original proposals are listed, not the undone version
    assert code == 0
    assert new.id not in out and all(p.id in out for p in props(4))
    stats = main(["stats", "--json", "--workspace", str(tmp_path / "ws")])
    assert stats == 0 and '"proposals": 4' in capsys.readouterr().out


def test_given_accepted_task_edit_undone_when_exported_then_only_the_original_is_written(tmp_path):
    store = Store(tmp_path / "ws", annotator="ana")
    try:
        task = Task("Give the sentiment of the review.", ["text"], "label")
        prop = add_task(store, "sample:sst-mini", task)
        store.edit(prop.id, EDITED)
        store.undo()  # the original is accepted again; the version is no task
        report = run_export(store, ExportOptions("jsonl", str(tmp_path / "out.jsonl")))
        rows = read_jsonl(tmp_path / "out.jsonl")
        assert report.tasks == 1 and rows
        assert {r["instruction"] for r in rows} == {task.instruction}
    finally:
        store.close()
