"""Conflicts, adjudication and the `adjudicated` policy; overlap; guidelines."""

from __future__ import annotations

import pytest

from dynotui.core.errors import ConfigError
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from dynotui.core.team import guidelines
from dynotui.core.team.conflicts import adjudicated, conflict_ids, conflicts
from dynotui.core.team.overlap import store_arrange
from teamkit import team_workspace


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    ws = tmp_path_factory.mktemp("team") / "ws"
    return ws, team_workspace(ws)


def test_given_disagreements_then_the_conflicts_are_those_with_different_outcomes(team):
    ws, props = team
    with Store(ws) as store:
        found = conflicts(store)
        assert [c.proposal.id for c in found] == [props[1].id, props[3].id, props[4].id]
        votes = found[0].to_dict()["votes"]
        assert [(v["annotator"], v["decision"], v["reason"]) for v in votes] == [
            ("alice", "accept", ""), ("bob", "reject", "vague instruction"),
            ("carol", "reject", "metadata task")]
        assert conflict_ids(store) == [props[1].id, props[3].id, props[4].id]


def test_given_an_adjudicator_then_the_policy_follows_them_and_majority_elsewhere(tmp_path):
    ws = tmp_path / "ws"
    p = team_workspace(ws)
    with Store(ws) as store:
        majority = {x.id for x in store.accepted("majority")}
        assert majority == {p[0].id, p[3].id, p[4].id}
        assert {x.id for x in adjudicated(store)} == majority  # nobody adjudicated yet
    with Store(ws, annotator="dana") as judge:
        judge.decide(p[1].id, "accept", role="adjudicator")  # majority said reject
        judge.decide(p[3].id, "reject", role="adjudicator", note="metadata after all")
    with Store(ws) as store:
        chosen = {x.id for x in adjudicated(store)}
        assert chosen == {p[0].id, p[1].id, p[4].id}
        assert [c.proposal.id for c in conflicts(store)] == [p[4].id]  # the one left open
        settled = [c for c in conflicts(store, include_settled=True) if c.settled]
        assert settled[1].to_dict()["settled"]["note"] == "metadata after all"
        # an adjudicator named in the config settles without the role on the event
        with Store(ws, annotator="erin") as erin:
            erin.decide(p[4].id, "reject")
        assert p[4].id not in {x.id for x in adjudicated(store, ["erin"])}
        assert conflicts(store, ["erin"]) == []


def test_given_two_edits_then_the_adjudicator_can_pick_one_version(tmp_path):
    with Store(tmp_path, annotator="alice") as alice:
        base = Proposal("sample:sst-mini", Task("Classify it.", ["text"], "label"))
        alice.add_proposals([base])
        mine = alice.edit(base.id, Task("Classify the sentiment.", ["text"], "label"))
    with Store(tmp_path, annotator="bob") as bob:
        theirs = bob.edit(base.id, Task("Is the review positive?", ["text"], "label"))
    with Store(tmp_path, annotator="dana") as judge:
        [conflict] = conflicts(judge)
        assert {v.edited for v in conflict.family.votes.values()} == {mine.id, theirs.id}
        judge.decide(theirs.id, "accept", role="adjudicator")
        assert [x.id for x in adjudicated(judge)] == [theirs.id]
        assert {x.id for x in judge.accepted("majority")} == {mine.id, theirs.id}


def test_given_overlap_then_the_queue_skips_what_enough_others_decided(team):
    ws, p = team
    with Store(ws, annotator="erin") as store:
        props, statuses = store.live_proposals(), store.statuses()
        one = store_arrange(store, props, "erin", 1, statuses)
        assert one == []  # everything was decided by someone already
        three = store_arrange(store, props, "erin", 3, statuses)
        # P1, P2, P4, P5 have three deciders; P3 and P6 two
        assert {x.id for x in three} == {p[2].id, p[5].id}
        assert store_arrange(store, props, "erin", 0, statuses) == props
    with Store(ws, annotator="alice") as store:
        order = store_arrange(store, store.live_proposals(), "alice", 2, store.statuses())
        # P6 is her only undecided one and bob and carol decided it: left out; hers stay
        assert {x.id for x in order} == {x.id for x in p[:5]}


def test_given_a_fresh_queue_then_annotators_start_at_different_places(tmp_path):
    with Store(tmp_path, annotator="x") as store:
        store.add_proposals([Proposal("sample:sst-mini", Task(f"Task {i}.", ["text"], "label"))
                             for i in range(40)])
        props, statuses = store.live_proposals(), store.statuses()
        starts = {store_arrange(store, props, who, 1, statuses)[0].id
                  for who in ("ann", "ben", "cat", "dan")}
        assert len(starts) > 1
        assert sorted(x.id for x in store_arrange(store, props, "ann", 1, statuses)) == \
            sorted(x.id for x in props)


def test_given_guidelines_then_reject_reasons_and_keys_come_from_them(tmp_path):
    (tmp_path / "guidelines.md").write_text(
        "# How we review\nBe strict.\n\n## Reject reasons\n"
        "1. **vague instruction** — could mean several tasks\n"
        "2. wrong output field: not what the instruction asks\n"
        "- copies a demonstration -- see below\n\n## Examples\n- not a reason\n")
    from dynotui.config import load_settings

    settings = load_settings(workspace=tmp_path)
    assert settings.reject_reasons == ["vague instruction", "wrong output field",
                                       "copies a demonstration"]
    assert settings.guidelines == str(tmp_path / "guidelines.md")
    other = tmp_path / "team.md"
    other.write_text("No reasons section here.")
    kept = load_settings(workspace=tmp_path, guidelines=str(other))
    assert kept.guidelines == str(other) and "other" in kept.reject_reasons  # the defaults
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(workspace=tmp_path, guidelines=str(tmp_path / "missing.md"))
    assert guidelines.reject_reasons("## Reject reasons\n" + "".join(
        f"- r{i}\n" for i in range(12))) == [f"r{i}" for i in range(9)]
