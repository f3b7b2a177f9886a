"""Store.events_after and Store.others: what another process decided, read incrementally."""

from __future__ import annotations

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store


def seed(path, n=3):
    props = [Proposal(dataset="sample:x", task=Task(f"Task {i}.", ["a"], "b"), created=i)
             for i in range(n)]
    with Store(path, annotator="alice") as store:
        store.add_proposals(props)
    return props


def test_events_after_a_mark_are_exactly_the_new_ones_from_any_process(tmp_path):
    props = seed(tmp_path)
    alice, bob = Store(tmp_path, annotator="alice"), Store(tmp_path, annotator="bob")
    # Given a mark taken before anything was decided
    mark, events = alice.events_after(None)
    assert events is None  # no mark yet: the caller loads everything
    # When bob decides twice and alice once
    bob.decide(props[0].id, "accept")
    bob.decide(props[1].id, "reject")
    alice.decide(props[2].id, "skip")
    # Then alice's view after the mark holds the three, each once, with their sessions
    mark, events = alice.events_after(mark)
    assert sorted((e.annotator, e.action) for e in events) == \
        [("alice", "skip"), ("bob", "accept"), ("bob", "reject")]
    assert {e.session for e in events if e.annotator == "bob"} == {bob.session}
    # And nothing more until someone decides again
    assert alice.events_after(mark) == (mark, [])
    bob.decide(props[2].id, "accept")
    mark, events = alice.events_after(mark)
    assert [(e.annotator, e.proposal) for e in events] == [("bob", props[2].id)]
    alice.close()
    bob.close()


def test_others_is_everyone_elses_latest_standing_decision(tmp_path):
    props = seed(tmp_path)
    with Store(tmp_path, annotator="bob") as bob, Store(tmp_path, annotator="carol") as carol:
        bob.decide(props[0].id, "accept")
        bob.decide(props[0].id, "reject")  # the later one stands
        carol.decide(props[0].id, "accept")
        carol.decide(props[1].id, "reject")
        carol.undo()  # undone: no longer carol's decision
        bob.decide(props[2].id, "flag")  # a flag is no decision
    with Store(tmp_path, annotator="alice") as alice:
        alice.decide(props[1].id, "accept")  # her own: not "others"
        assert alice.others() == {props[0].id: {"bob": "rejected", "carol": "accepted"}}
        # Asked about given proposals, every one gets an entry (empty: nobody else decided)
        assert alice.others(pids={props[1].id, props[2].id}) == {props[1].id: {},
                                                                 props[2].id: {}}
        assert alice.others("bob") == {props[0].id: {"carol": "accepted"},
                                       props[1].id: {"alice": "accepted"}}
