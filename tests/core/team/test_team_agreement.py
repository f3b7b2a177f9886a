"""Agreement figures against a case computed by hand (teamkit.TABLE).

alice/bob share P1-P5: labels AARRA vs ARRAA, 3 of 5 agree; each says accept 3 times, so
chance agreement is (3*3 + 2*2)/25 = 0.52 and kappa = (0.6 - 0.52)/0.48 = 1/6.
alice/carol share P1, P2, P4, P5: AARA vs ARAR, 1 of 4; chance (3*2 + 1*2)/16 = 0.5,
kappa = (0.25 - 0.5)/0.5 = -0.5.
bob/carol share P1, P2, P4, P5, P6: ARAAR vs ARARR, 4 of 5; chance (3*2 + 2*3)/25 = 0.48,
kappa = 0.32/0.52 = 8/13.
Krippendorff's alpha (nominal): the coincidences over the six units are o(A,A) = 5,
o(A,R) = o(R,A) = 3, o(R,R) = 5, n = 16, n_A = n_R = 8; observed disagreement 6/16,
expected 2*8*8/(16*15) = 8/15; alpha = 1 - (6/16)/(8/15) = 19/64 = 0.296875.
"""

from __future__ import annotations

import pytest

from dynotui.core.store import Store
from dynotui.core.team.agreement import cohen_kappa, compute, krippendorff_alpha
from teamkit import META, OTHER, VAGUE, team_workspace


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    ws = tmp_path_factory.mktemp("team") / "ws"
    props = team_workspace(ws)
    return ws, props


def _pair(data, a, b):
    return next(p for p in data["pairs"] if (p["a"], p["b"]) == (a, b))


def test_given_three_annotators_then_pairs_match_the_hand_computed_case(team):
    ws, _ = team
    with Store(ws) as store:
        data = compute(store)
    assert data["annotators"] == ["alice", "bob", "carol"]
    assert (data["items"], data["shared_items"]) == (6, 6)
    ab, ac, bc = _pair(data, "alice", "bob"), _pair(data, "alice", "carol"), \
        _pair(data, "bob", "carol")
    assert (ab["both"], ab["agree"], ab["percent"]) == (5, 3, 0.6)
    assert ab["kappa"] == pytest.approx(1 / 6, abs=1e-4)
    assert (ac["both"], ac["agree"], ac["percent"], ac["kappa"]) == (4, 1, 0.25, -0.5)
    assert (bc["both"], bc["agree"], bc["percent"]) == (5, 4, 0.8)
    assert bc["kappa"] == pytest.approx(8 / 13, abs=1e-4)
    assert data["alpha"] == pytest.approx(19 / 64, abs=1e-4)
    assert data["conflicts"] == {"open": 3, "settled": 0}


def test_given_three_annotators_then_disputed_reasons_are_counted_by_hand(team):
    # P2: vague and meta each meet alice's accept, and each other; P4 and P5: vague meets
    # two accepts each; P3 (vague/vague) and P6 (other/other) agree.
    ws, _ = team
    with Store(ws) as store:
        reasons = compute(store)["reasons"]
    assert [r["reason"] for r in reasons] == [VAGUE, META, OTHER]
    assert reasons[0] == {"reason": VAGUE, "disputed": 6, "against_accept": 5,
                          "against_other_reason": 1, "used": 5}
    assert reasons[1] == {"reason": META, "disputed": 2, "against_accept": 1,
                          "against_other_reason": 1, "used": 1}
    assert reasons[2]["disputed"] == 0 and reasons[2]["used"] == 2


def test_kappa_matches_scikit_learn_where_it_is_installed():
    metrics = pytest.importorskip("sklearn.metrics")
    cases = [("AARRA", "ARRAA"), ("AARA", "ARAR"), ("ARAAR", "ARARR"), ("AAAR", "AAAA"),
             ("RRRA", "ARRR")]
    for a, b in cases:
        ours = cohen_kappa(list(a), list(b))
        theirs = metrics.cohen_kappa_score(list(a), list(b))
        assert ours == pytest.approx(theirs, abs=1e-12), (a, b)


def test_given_no_variation_then_kappa_and_alpha_are_undefined_not_a_crash():
    assert cohen_kappa(["A", "A"], ["A", "A"]) is None
    assert cohen_kappa([], []) is None
    assert krippendorff_alpha([["accept", "accept"], ["accept", "accept"]]) is None
    assert krippendorff_alpha([["accept", None], [None, "reject"]]) is None  # nothing paired


def test_given_edit_skip_undo_and_adjudicator_then_votes_follow_the_rules(tmp_path):
    from teamkit import team_proposals

    with Store(tmp_path, annotator="lead") as lead:
        p1, p2 = team_proposals(lead)[:2]
    with Store(tmp_path, annotator="alice") as alice:
        alice.decide(p1.id, "reject", reason=VAGUE)
        new = alice.edit(p1.id, p1.task.__class__("Say the sentiment.", ["text"], "label"))
        alice.decide(p2.id, "accept")
        alice.decide(p2.id, "skip")  # withdraws her vote on P2
    with Store(tmp_path, annotator="bob") as bob:
        bob.decide(p1.id, "accept")
        bob.decide(p2.id, "reject")
        bob.decide(p2.id, "accept")
        bob.undo()  # back to reject
    with Store(tmp_path, annotator="judge") as judge:
        judge.decide(p2.id, "accept", role="adjudicator")
    with Store(tmp_path) as store:
        data = compute(store)
    assert data["annotators"] == ["alice", "bob"]  # the adjudicator is no voter
    pair = data["pairs"][0]
    assert (pair["both"], pair["agree"]) == (1, 1)  # an edit is an accept: they agree on P1
    assert data["conflicts"] == {"open": 1, "settled": 0}  # but export different versions
    assert new.parent == p1.id
