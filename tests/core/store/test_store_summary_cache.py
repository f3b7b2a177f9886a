"""The statistics cache (cache/summaries.json): stats equal a recount from the proposals
themselves, follow changes made by other processes, and survive a damaged cache file."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dynotui.core.models import Proposal, Task, Verdict
from dynotui.core.stats import compute
from dynotui.core.store import Store


def _props(dataset: str, n: int, model: str = "m") -> list[Proposal]:
    out = []
    for i in range(n):
        verdicts = [Verdict("short_instruction", False, "x", "warning")] if i % 3 == 0 else []
        if i % 4 == 0:
            verdicts.append(Verdict("io_overlap", False, "y", "error"))
        out.append(Proposal(dataset=dataset, task=Task(f"Do task {i % 5} on {dataset}.", ["a"], "b"),
                            model=model if i % 2 else "", variant="aware", tokens_in=i,
                            tokens_out=2 * i, cost_usd=0.001 * i, verdicts=verdicts))
    return out


def _recount(store: Store, who: str = "*") -> dict:
    props = store.live_proposals()
    status = store.statuses(who)
    return {"proposals": len(props),
            "by_status": dict(Counter(status[p.id] for p in props)),
            "with_errors": sum(bool(p.errors) for p in props),
            "with_warnings": sum(bool(p.warnings) for p in props),
            "tokens": sum(p.tokens_in + p.tokens_out for p in props),
            "datasets": dict(Counter(p.dataset for p in props)),
            "models": dict(Counter(p.model or "(none)" for p in props)),
            "verdicts": dict(Counter(v.rule for p in props for v in p.verdicts if not v.ok))}


def _shown(stats: dict) -> dict:
    return {"proposals": stats["proposals"],
            "by_status": {k: v for k, v in stats["by_status"].items() if v},
            "with_errors": stats["with_errors"], "with_warnings": stats["with_warnings"],
            "tokens": stats["tokens"]["total"],
            "datasets": {k: v["proposals"] for k, v in stats["datasets"].items()},
            "models": {k: v["proposals"] for k, v in stats["by_model"].items()},
            "verdicts": stats["verdicts"]}


def test_stats_from_the_cache_equal_a_recount_and_follow_other_processes(tmp_path):
    # given proposals over three datasets, decisions by two annotators and an edit
    ws = tmp_path / "ws"
    ana = Store(ws, annotator="ana")
    ana.add_proposals(_props("hub:a", 12) + _props("hub:b", 7, "n") + _props("hub:c", 3))
    pids = [p.id for p in ana.proposals()]
    for pid in pids[:5]:
        ana.decide(pid, "accept")
    ana.decide(pids[6], "reject")
    ana.edit(pids[7], Task("An edited task.", ["a"], "b"))
    assert _shown(compute(ana)) == _recount(ana)
    assert (ws / "cache" / "summaries.json").is_file()
    # when another process adds proposals and decides
    bob = Store(ws, annotator="bob")
    bob.add_proposals(_props("hub:b", 9, "n") + _props("hub:d", 2))
    bob.decide(pids[0], "reject")
    # then a fresh process's stats (from the cache) still equal the recount, for everyone and bob
    fresh = Store(ws, annotator="carol")
    assert _shown(compute(fresh)) == _recount(fresh)
    assert _shown(compute(fresh, annotator="bob")) == _recount(fresh, "bob")


def test_a_damaged_cache_is_rebuilt(tmp_path):
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals(_props("hub:a", 4))
    expected = _shown(compute(store))
    cache = ws / "cache" / "summaries.json"
    for junk in (b"", b"{not json", b'{"version": 1, "files": []}', b"[1, 2]"):
        cache.write_bytes(junk)
        assert _shown(compute(Store(ws, annotator="x"))) == expected


@pytest.mark.parametrize("field, junk", [("key_of", 99), ("rules", ["a list"]), ("keys", [1])])
def test_a_cache_of_the_right_signatures_but_wrong_values_is_rebuilt(tmp_path, field, junk):
    # given a cache whose entries match the files' signatures but hold values of another shape
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals(_props("hub:a", 6) + _props("hub:b", 3))
    store.decide(store.proposals("hub:a")[0].id, "accept")
    expected = _shown(compute(store))
    cache = ws / "cache" / "summaries.json"
    data = json.loads(cache.read_bytes())
    for entry in data["files"].values():
        entry[field] = [junk] * len(entry["key_of"]) if field == "key_of" else junk
    cache.write_text(json.dumps(data))
    # when a fresh process counts, then it recounts from the files (and mends the cache)
    assert _shown(compute(Store(ws, annotator="x"))) == expected == _recount(store)
    assert all(max(e["key_of"]) < len(e["keys"])
               for e in json.loads(cache.read_bytes())["files"].values())


def test_an_edit_undone_is_left_out_of_the_cached_counts_with_its_verdicts_and_instruction(tmp_path):
    # given a version made by an edit (a warning of its own, the instruction of another
    # proposal) whose edit was undone
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals(_props("hub:a", 5))
    pid = store.proposals("hub:a")[1].id
    new = store.edit(pid, Task("Do task 0 on hub:a.", ["a"], "c"),
                     verdicts=[Verdict("vague", False, "z", "warning")])
    assert compute(Store(ws, annotator="x"))["duplicates"]["exact"] == 2
    store.undo()
    # when a fresh process counts from the cache
    fresh = Store(ws, annotator="bob")
    stats = compute(fresh)
    # then the version counts nowhere and the counts equal a recount of live proposals
    assert new.id in fresh.retracted()
    assert _shown(stats) == _recount(fresh) and stats["proposals"] == 5
    assert "vague" not in stats["verdicts"] and stats["duplicates"]["exact"] == 0


def test_proposals_just_added_are_the_store_s_own_copies(tmp_path):
    # given proposals added by a caller that keeps changing its objects afterwards
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    mine = _props("hub:a", 3)
    store.add_proposals(mine)
    mine[0].task.instruction = "changed by the caller"
    mine[1].verdicts.append(Verdict("x", False, "y", "error"))
    # then the store still holds what was written, the same as a fresh read of the files
    fresh = Store(ws, annotator="bob")
    assert [p.to_dict() for p in store.proposals()] == [p.to_dict() for p in fresh.proposals()]
    assert store.proposal(mine[0].id).task.instruction == "Do task 0 on hub:a."
