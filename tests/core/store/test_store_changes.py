"""core.store.changes: proposals other processes added since a mark, read cheaply."""

from __future__ import annotations

import dataclasses
import os

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from dynotui.core.store.changes import files_mark, proposals_after
from dynotui.core.store.layout import DATASETS


def props(dataset: str, *names: str, created: float = 1.0) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Task {n}.", ["a"], "b"), created=created + i)
            for i, n in enumerate(names)]


def test_new_proposals_from_another_store_are_found_once_and_only_they(tmp_path):
    alice, bob = Store(tmp_path, annotator="alice"), Store(tmp_path, annotator="bob")
    old = alice.add_proposals(props("sample:x", "a", "b") + props("sample:y", "c"))
    known = {p.id for p in old}
    mark = files_mark(alice)
    # Nothing changed: nothing found, and no file parsed again
    loads = []
    load = alice._datasets._load
    alice._datasets._load = lambda path, *a, **k: (loads.append(path.name), load(path, *a, **k))
    mark, found = proposals_after(alice, mark, known)
    assert found == [] and loads == []
    # When bob, another store on the workspace, adds two to x and one new dataset z
    new = bob.add_proposals(props("sample:x", "d", "e", created=5.0) + props("sample:z", "f"))
    mark, found = proposals_after(alice, mark, known)
    # Then exactly those three are found, oldest first, and only the two changed files read
    assert [p.id for p in found] == [p.id for p in sorted(new, key=lambda p: p.created)]
    assert len(loads) == 2 and not any(name.startswith("sample_y") for name in loads)
    # And they are not found again
    known |= {p.id for p in found}
    assert proposals_after(alice, mark, known)[1] == []
    alice.close()
    bob.close()


def test_an_unchanged_folder_costs_one_stat_yet_a_change_in_its_clock_tick_is_not_missed(tmp_path):
    alice, bob = Store(tmp_path, annotator="alice"), Store(tmp_path, annotator="bob")
    alice.add_proposals(props("sample:x", "a"))
    folder = tmp_path / DATASETS
    # Given a mark taken just after a write: the folder's mtime is recent
    mark = files_mark(alice)
    # When another write lands within the same clock tick (the folder keeps its mtime)
    bob.add_proposals(props("sample:x", "b", created=2.0))
    os.utime(folder, ns=(mark.folder, mark.folder))
    # Then it is found all the same (a recent folder is looked into)
    mark, found = proposals_after(alice, mark, set())
    assert [p.task.instruction for p in found] == ["Task a.", "Task b."]
    # Given a folder untouched for an hour
    hour_ago = mark.folder - 3600 * 10**9
    os.utime(folder, ns=(hour_ago, hour_ago))
    mark = files_mark(alice)
    known = {p.id for p in alice.proposals()}
    # When a file changes but the folder's mtime does not (only a rewrite in place could)
    bob.add_proposals(props("sample:x", "c", created=3.0))
    os.utime(folder, ns=(hour_ago, hour_ago))
    # Then the quiet look does not open the folder, and the periodic full look finds it
    mark2, found = proposals_after(alice, mark, known)
    assert found == [] and mark2.files == mark.files
    _, found = proposals_after(alice, dataclasses.replace(mark2, full=0), known)
    assert [p.task.instruction for p in found] == ["Task c."]
    alice.close()
    bob.close()


def test_standing_reads_statuses_flags_and_others_for_many_at_once(tmp_path):
    with Store(tmp_path, annotator="alice") as alice, Store(tmp_path, annotator="bob") as bob:
        a, b, c = alice.add_proposals(props("sample:x", "a", "b", "c"))
        alice.decide(a.id, "accept")
        bob.decide(a.id, "reject")
        bob.decide(b.id, "flag")
        statuses, flagged, others = alice.standing({a.id, b.id, c.id}, "alice")
        assert statuses == {a.id: "accepted", b.id: "undecided", c.id: "undecided"}
        assert flagged == {a.id: False, b.id: True, c.id: False}
        assert others == {a.id: {"bob": "rejected"}, b.id: {}, c.id: {}}
