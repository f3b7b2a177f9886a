"""Saved near-duplicate groups are checked against the live proposals' ids from the statistics
cache: `stats` on a big workspace with groups on file parses no dataset file to do it."""

from __future__ import annotations

import json
from pathlib import Path

from dynotui.core.embed.groups import NearGroups
from dynotui.core.embed.workspace import (SUPERSEDED, _groups_path, _ids_key, live_proposals,
                                          saved_groups, settings_model, settings_threshold)
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store

EDITED = Task("Classify the review as positive or negative.", ["text"], "label")


def _props(dataset: str, n: int) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Label {dataset} review {i} by its sentiment.",
                                                ["text"], "label"), model="m") for i in range(n)]


def _workspace(tmp_path) -> Store:
    """Two datasets; in `a` one proposal accepted, one edited, one edited then undone."""
    store = Store(tmp_path / "ws", annotator="ana", session="s1")
    store.add_proposals(_props("sample:a", 4) + _props("sample:b", 5))
    a = [p.id for p in store.proposals("sample:a")]
    store.decide(a[0], "accept")
    store.edit(a[1], EDITED)
    store.edit(a[2], Task("Tell the review's sentiment.", ["text"], "label"))
    store.undo()
    store.stats_tally()  # the statistics cache, as `stats` leaves it
    return store


def _save_groups(store: Store, ids: list[str]) -> Path:
    path = _groups_path(Path(store.workspace), settings_model(None, None),
                        settings_threshold(None, None))
    path.parent.mkdir(parents=True, exist_ok=True)
    groups = NearGroups(0.9, "m", len(ids), [sorted(ids)[:2]], [0.95], [2])
    path.write_text(json.dumps({"key": _ids_key(ids), **groups.to_dict()}))
    return path


def test_live_ids_from_the_cache_are_the_live_proposals_ids(tmp_path):
    store = _workspace(tmp_path)
    # When the ids come from the statistics cache in a fresh process (a fresh Store)
    fresh = Store(tmp_path / "ws", annotator="ana", session="s2")
    ids = fresh.live_ids("*", drop=SUPERSEDED)
    # Then they are exactly the ids of the proposals the groups are made of: the accepted
    # one and the new version stay, the edited original and the undone version do not
    expected = [p.id for p in live_proposals(store)[0]]
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) == 9


def test_saved_groups_are_found_without_parsing_the_unchanged_files(tmp_path):
    store = _workspace(tmp_path)
    _save_groups(store, [p.id for p in live_proposals(store)[0]])
    fresh = Store(tmp_path / "ws", annotator="ana", session="s2")
    # When a new process asks for the saved groups (what `stats` does)
    groups = saved_groups(fresh)
    # Then they are found, and dataset b (nothing undone in it) was never parsed
    assert groups is not None and groups.groups
    parsed = {p.dataset for p in fresh._datasets.props.values()}
    assert "sample:b" not in parsed


def test_saved_groups_are_stale_once_a_proposal_is_added(tmp_path):
    store = _workspace(tmp_path)
    _save_groups(store, [p.id for p in live_proposals(store)[0]])
    store.add_proposals(_props("sample:c", 1))
    assert saved_groups(Store(tmp_path / "ws", annotator="ana", session="s3")) is None
