"""Store: proposals dedupe, metadata, decisions as events, undo, edit versions, policies."""

from __future__ import annotations

import json

import pytest

from dynotui.core.errors import StoreError
from dynotui.core.models import DatasetMeta, DatasetRef, Feature, Proposal, Task
from dynotui.core.store import Store


def props(n: int, dataset: str = "sample:demo", start: int = 0) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Label review {i} by its sentiment.", ["text"], "label"),
                     model="m", variant="aware", tokens_in=10, tokens_out=5, cost_usd=0.001)
            for i in range(start, start + n)]


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "ws", annotator="ana", session="s1")
    yield s
    s.close()


def test_given_same_tasks_twice_when_added_then_only_new_ids_are_stored(store):
    first = store.add_proposals(props(5))
    again = store.add_proposals(props(7))  # 5 old + 2 new, same content hashes
    assert len(first) == 5 and [p.id for p in again] == [p.id for p in props(7)[5:]]
    assert store.count_proposals() == 7
    assert {p.id for p in store.proposals("sample:demo")} == {p.id for p in props(7)}
    assert store.proposals("sample:other") == []


def test_given_proposal_when_reloaded_in_new_store_then_fields_survive(store, tmp_path):
    p = props(1)[0]
    p.task_name, p.config = "demo-cfg", "cfg"
    p = Proposal.from_dict({**p.to_dict(), "id": ""})
    store.add_proposals([p])
    again = Store(tmp_path / "ws", annotator="bob").proposal(p.id)
    assert again == store.proposal(p.id) and again.task_name == "demo-cfg"


def test_given_unknown_or_ambiguous_id_when_looked_up_then_store_error(store):
    store.add_proposals(props(40))
    with pytest.raises(StoreError, match="No proposal"):
        store.proposal("nope")
    with pytest.raises(StoreError, match="proposal ids start"):
        store.find("")
    pid = store.proposals()[0].id
    assert store.find(pid[:12]).id == pid


def test_given_meta_when_saved_then_loaded_by_key_from_another_process_view(store, tmp_path):
    ref = DatasetRef("hub", "org/name", "cfg")
    meta = DatasetMeta(ref=ref, name="name", features=[Feature("text", "string")],
                       rows={"train": [{"text": "a"}]})
    store.save_meta(meta)
    other = Store(tmp_path / "ws")
    assert other.load_meta("hub:org/name/cfg") == meta
    assert other.dataset_keys() == ["hub:org/name/cfg"]
    assert other.load_meta("hub:org/name") is None


def test_given_generation_and_stages_when_marked_then_seen(store, tmp_path):
    assert not store.generation_done("k1")
    store.mark_generation("k1", {"tokens": 3})
    store.mark_generation("k1", {"tokens": 4})
    assert Store(tmp_path / "ws").generations() == {"k1": {"tokens": 4}}
    assert store.add_stage({"name": "a"}) == 1 and store.add_stage({"name": "b"}) == 2
    assert [s["name"] for s in store.stages()] == ["a", "b"]


def test_given_decisions_then_status_is_the_latest_and_events_keep_all(store):
    ids = [p.id for p in store.add_proposals(props(3))]
    store.decide(ids[0], "accept", seconds=2.5)
    store.decide(ids[0], "reject", reason="vague instruction", note="why")
    store.decide(ids[1], "skip")
    assert store.status(ids[0]) == "rejected" and store.status(ids[1]) == "skipped"
    assert store.status(ids[2]) == "undecided"
    events = store.events(ids[0])
    assert [e.action for e in events] == ["accept", "reject"]
    assert events[1].reason == "vague instruction" and events[1].note == "why"
    assert events[0].seconds == 2.5 and events[0].annotator == "ana" and events[0].session == "s1"
    assert events[0].dataset == "sample:demo" and events[0].ts <= events[1].ts
    with pytest.raises(StoreError, match="Unknown action"):
        store.decide(ids[0], "approve")


def test_given_many_decisions_when_undone_repeatedly_then_history_unwinds(store, tmp_path):
    ids = [p.id for p in store.add_proposals(props(4))]
    for pid in ids:
        store.decide(pid, "accept")
    store.decide(ids[0], "reject")
    assert store.undo().proposal == ids[0] and store.status(ids[0]) == "accepted"
    assert store.undo().proposal == ids[3] and store.status(ids[3]) == "undecided"
    # a new process of the same annotator continues undoing the older session's decisions
    later = Store(tmp_path / "ws", annotator="ana", session="s2")
    assert later.undo().proposal == ids[2]
    assert store.status(ids[2]) == "undecided"
    assert later.undo().proposal == ids[1] and later.undo().proposal == ids[0]
    assert later.undo() is None and later.statuses() == {pid: "undecided" for pid in ids}
    assert len(later.events()) == 5 + 5  # nothing deleted: 5 decisions, 5 undos


def test_given_flag_then_unflag_and_undo(store):
    pid = store.add_proposals(props(1))[0].id
    store.decide(pid, "flag")
    assert store.is_flagged(pid) and store.flagged() == {pid}
    store.decide(pid, "unflag")
    assert not store.is_flagged(pid)
    store.undo()
    assert store.is_flagged(pid) and store.status(pid) == "undecided"


def test_given_edit_then_new_version_accepted_old_edited_and_undo_reverts_both(store):
    old = store.add_proposals(props(1))[0]
    new = store.edit(old.id, Task("Say if the review is positive.", ["text"], "label"), seconds=4)
    assert (new.parent, new.version, new.source, new.variant) == (old.id, 2, "edit", "edit")
    assert store.status(old.id) == "edited" and store.status(new.id) == "accepted"
    newer = store.edit(new.id, Task("Is the review positive?", ["text"], "label"))
    assert newer.version == 3 and store.status(new.id) == "edited"
    assert [p.id for p in store.accepted()] == [newer.id]
    undo = store.undo()  # one undo reverts the edit and its accept
    assert undo.proposal == new.id
    assert store.status(new.id) == "accepted" and store.status(newer.id) == "undecided"
    store.undo()
    assert store.status(old.id) == "undecided" and store.status(new.id) == "undecided"
    unchanged = store.edit(old.id, old.task)  # nothing changed: just an accept
    assert unchanged.id == old.id and store.status(old.id) == "accepted"


def test_given_three_annotators_then_policies_combine_their_latest(tmp_path):
    ws = tmp_path / "ws"
    a, b, c = (Store(ws, annotator=n) for n in "abc")
    p1, p2, p3, p4 = (p.id for p in a.add_proposals(props(4)))
    votes = {p1: "aaa", p2: "aar", p3: "arr", p4: "rsa"}  # a=accept r=reject s=skip
    for pid, v in votes.items():
        for store, vote in zip((a, b, c), v):
            store.decide(pid, {"a": "accept", "r": "reject", "s": "skip"}[vote])

    def ids(policy, annotator=None):
        return {p.id for p in a.accepted(policy, annotator)}

    assert ids("any") == {p1, p2, p3, p4}
    assert ids("majority") == {p1, p2}  # p4: 1 accept vs 1 reject (skip abstains)
    assert ids("unanimous") == {p1}
    assert ids("latest") == {p1, p4}  # c decided last
    assert ids("any", "b") == {p1, p2}
    assert a.status(p3, "*") == "rejected" and a.status(p3) == "accepted"
    assert a.annotators() == ["a", "b", "c"]
    with pytest.raises(StoreError, match="Unknown policy"):
        a.accepted("most")


def test_given_two_stores_when_one_writes_then_other_reads_it(tmp_path):
    ws = tmp_path / "ws"
    one, two = Store(ws, annotator="one"), Store(ws, annotator="two")
    assert two.count_proposals() == 0
    pid = one.add_proposals(props(1))[0].id
    assert two.count_proposals() == 1
    one.decide(pid, "accept")
    assert two.status(pid, "one") == "accepted" and two.status(pid) == "undecided"
    assert [p.id for p in two.undecided()] == [pid] and one.undecided() == []


def test_given_many_events_then_session_rolls_to_new_small_files(tmp_path, monkeypatch):
    monkeypatch.setattr("dynotui.core.store.decisions.ROLL_EVENTS", 10)
    store = Store(tmp_path / "ws", annotator="ana", session="s")
    ids = [p.id for p in store.add_proposals(props(25))]
    for pid in ids:
        store.decide(pid, "accept")
    files = sorted((tmp_path / "ws" / "decisions").rglob("*.jsonl"))
    assert [f.name for f in files] == ["s-0001.jsonl", "s-0002.jsonl", "s-0003.jsonl"]
    lines = [len(f.read_text().splitlines()) for f in files]
    assert lines == [11, 11, 6]  # header + events
    assert json.loads(files[0].read_text().splitlines()[1])["proposal"] == ids[0]
    assert Store(tmp_path / "ws").statuses("ana") == {pid: "accepted" for pid in ids}


def test_given_writer_thread_when_readers_poll_then_no_error_and_all_counted(store):
    import threading

    ids = [p.id for p in store.add_proposals(props(150))]
    errors = []

    def read():
        try:
            while not done.is_set():
                store.statuses(), store.undecided(), store.events(), store.accepted()
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    done = threading.Event()
    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    for pid in ids:
        store.decide(pid, "accept")
    done.set()
    for t in readers:
        t.join()
    assert errors == [] and len(store.accepted()) == 150


def test_given_proposal_with_every_field_set_then_it_round_trips_exactly(tmp_path):
    from dynotui.core.models import Verdict

    full = Proposal(dataset="hub:o/n", task=Task("Do X.", ["a", "b"], "c"), config="cfg",
                    split="train", revision="abc", variant="unaware", prompt_version="2",
                    model="m", temperature=0.7, source="import:x",
                    verdicts=[Verdict("r", False, "why", "warning")], raw_answer="{raw}",
                    tokens_in=3, tokens_out=4, cost_usd=0.5, seconds=1.5, created=12.0,
                    parent="p0", version=3, task_name="o/n-cfg", stage=2)
    default = Proposal(dataset="hub:o/n", task=Task("Do Y.", [], ""))
    Store(tmp_path / "ws").add_proposals([full, default])
    again = Store(tmp_path / "ws")
    assert again.proposal(full.id) == full
    assert again.proposal(default.id).to_dict() == {**default.to_dict(),
                                                     "created": again.proposal(default.id).created}


def test_given_several_ids_when_decided_together_then_all_or_nothing(store):
    ids = [p.id for p in store.add_proposals(props(3))]
    with pytest.raises(StoreError, match="No proposal"):
        store.decide_many([ids[0], "missing"], "accept")
    assert store.events() == []
    events = store.decide_many(ids, "reject", reason="vague", note="n")
    assert [e.proposal for e in events] == ids and len({e.id for e in events}) == 3
    assert set(store.statuses().values()) == {"rejected"}


def test_given_stored_proposals_when_loaded_then_the_fast_path_builds_them(tmp_path, monkeypatch):
    Store(tmp_path / "ws").add_proposals(props(3))

    def slow(*_):
        raise AssertionError("Proposal.from_dict used: loading 50k proposals would be ~5x slower")

    monkeypatch.setattr(Proposal, "from_dict", classmethod(slow))
    loaded = Store(tmp_path / "ws").proposals()
    assert [(p.id, p.task, p.tokens_in) for p in loaded] == [(p.id, p.task, 10) for p in props(3)]


def test_given_finished_session_then_next_session_continues_its_file(tmp_path):
    ws = tmp_path / "ws"
    first = Store(ws, annotator="ana", session="a")
    ids = [p.id for p in first.add_proposals(props(6))]
    first.decide_many(ids[:3], "accept")
    live = Store(ws, annotator="ana", session="b")
    live.decide(ids[3], "reject")  # `first` still holds its file: `live` starts its own
    first.close()
    later = Store(ws, annotator="ana", session="c")
    later.decide_many(ids[4:], "skip")  # continues a file nobody writes any more
    files = sorted(p.name for p in (ws / "decisions").rglob("*.jsonl"))
    assert files == ["a-0001.jsonl", "b-0001.jsonl"]
    assert [e.session for e in Store(ws).events()] == ["a"] * 3 + ["b"] + ["c"] * 2
    assert later.undo().proposal == ids[5] and later.status(ids[3]) == "rejected"


def test_given_file_with_torn_last_line_then_it_is_never_appended_to(tmp_path):
    ws = tmp_path / "ws"
    first = Store(ws, annotator="ana", session="a")
    pid = first.add_proposals(props(1))[0].id
    first.decide(pid, "accept")
    first.close()
    torn = next((ws / "decisions").rglob("a-0001.jsonl"))
    with open(torn, "ab") as fh:
        fh.write(b'{"proposal": "x", "act')  # as a power cut could leave it
    before = torn.read_bytes()
    Store(ws, annotator="ana", session="b").decide(pid, "reject")
    assert torn.read_bytes() == before
    assert Store(ws, annotator="ana").status(pid) == "rejected"
