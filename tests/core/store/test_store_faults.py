"""Store faults: corrupt, truncated or foreign files; leftover temp files; schema migration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tinydb import TinyDB

from dynotui.core.errors import StoreError
from dynotui.core.models import DatasetMeta, DatasetRef, Decision, Proposal, Task
from dynotui.core.store import SCHEMA, Store
from dynotui.core.store.layout import dataset_path
from dynotui.core.store.migrate import write_v1


def props(dataset: str, n: int = 3) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Summarise article {i}.", ["article"], "summary"))
            for i in range(n)]


@pytest.fixture
def ws(tmp_path):
    ws = tmp_path / "ws"
    store = Store(ws, annotator="ana")
    store.add_proposals(props("hub:org/good") + props("hub:org/bad"))
    store.close()
    return ws


DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "garbage": lambda raw: b"\x00\xff" * 50,
    "foreign": lambda raw: json.dumps({"_default": {"1": {"x": 1}}}).encode(),
    "foreign list": lambda raw: b"[1, 2, 3]",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_given_damaged_dataset_file_then_error_names_it_and_others_stay_usable(ws, damage):
    bad = dataset_path(ws, "hub:org/bad")
    bad.write_bytes(DAMAGE[damage](bad.read_bytes()))
    before = bad.read_bytes()
    store = Store(ws, annotator="ana")
    good = store.proposals("hub:org/good")
    assert len(good) == 3 and store.count_proposals() == 3
    store.decide(good[0].id, "accept")
    with pytest.raises(StoreError) as err:
        store.proposals("hub:org/bad")
    assert str(bad) in err.value.message and "mv" in err.value.hint
    with pytest.raises(StoreError):
        store.add_proposals(props("hub:org/bad", 5))
    with pytest.raises(StoreError):  # nothing written, even for the healthy dataset in the batch
        store.add_proposals(props("hub:org/good", 5) + props("hub:org/bad", 5))
    assert store.count_proposals() == 3
    assert [str(bad) in p.message for p in store.problems] == [True]
    assert bad.read_bytes() == before  # never overwritten
    bad.rename(bad.with_name("moved-aside.bad"))  # what the hint says to do
    assert store.problems == [] and store.add_proposals(props("hub:org/bad", 2))


def test_given_damaged_index_then_open_fails_with_the_file_named(ws):
    (ws / "index.json").write_bytes(b'{"_dynotui": {"1": {"kind": "ind')
    with pytest.raises(StoreError, match="index.json.*corrupt"):
        Store(ws)
    (ws / "index.json").write_text(json.dumps({"_default": {}}))
    with pytest.raises(StoreError, match="not a dynotui index file"):
        Store(ws)


def test_given_newer_schema_then_clear_error(ws):
    index = json.loads((ws / "index.json").read_text())
    index["_dynotui"]["1"]["schema"] = SCHEMA + 1
    (ws / "index.json").write_text(json.dumps(index))
    with pytest.raises(StoreError, match="Upgrade dynotui"):
        Store(ws)


def test_given_damaged_events_file_then_reported_left_alone_and_other_events_count(ws):
    store = Store(ws, annotator="ana", session="one")
    pids = [p.id for p in store.proposals()]
    store.decide(pids[0], "accept")
    store.close()
    other = Store(ws, annotator="bob", session="two")
    other.decide(pids[1], "reject")
    other.close()
    path = next((ws / "decisions").rglob("one-0001.jsonl"))
    path.write_bytes(b"not json at all\n" + path.read_bytes())
    before = path.read_bytes()
    fresh = Store(ws, annotator="ana")
    assert fresh.status(pids[1], "bob") == "rejected"
    assert [str(path) in p.message for p in fresh.problems] == [True]
    fresh.decide(pids[2], "skip")  # this session writes its own new file
    assert path.read_bytes() == before
    path.rename(path.with_suffix(".bad"))
    assert fresh.problems == [] and fresh.status(pids[2]) == "skipped"


def test_given_line_being_written_then_reader_waits_for_its_newline(ws):
    store = Store(ws, annotator="ana", session="w")
    pid = store.proposals()[0].id
    store.decide(pid, "accept")
    path = next((ws / "decisions").rglob("w-0001.jsonl"))
    event = Decision(pid, "reject", "ana", "w", ts=9e9, id="late").to_dict()
    line = json.dumps(event).encode() + b"\n"
    with open(path, "ab") as fh:
        fh.write(line[:20])
    reader = Store(ws, annotator="ana")
    assert reader.status(pid) == "accepted" and reader.problems == []
    with open(path, "ab") as fh:
        fh.write(line[20:])
    assert reader.status(pid) == "rejected"


def test_given_leftover_temp_files_then_dead_writers_ones_are_removed(ws):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    left = ws / "datasets" / f".x.json.tmp-{dead}-abcd"
    live = ws / "datasets" / f".y.json.tmp-{os.getpid()}-abcd"
    left.write_text("{half")
    live.write_text("{half")
    Store(ws)
    assert not left.exists() and live.exists()


def test_given_schema_1_store_then_migrated_with_everything_and_backup_kept(tmp_path):
    ws = tmp_path / "old"
    ws.mkdir()
    old = props("hub:org/a", 4)
    meta = DatasetMeta(ref=DatasetRef("hub", "org/a"), name="a")
    decisions = [Decision(old[0].id, "accept", "ana", ts=1.0, seconds=3.0),
                 Decision(old[1].id, "reject", "bob", ts=2.0, reason="vague"),
                 Decision(old[0].id, "reject", "ana", ts=3.0)]
    write_v1(ws / "store.json", old, decisions, [meta])
    assert TinyDB(ws / "store.json").table("proposals").count(lambda d: True) == 4  # real TinyDB file
    store = Store(ws, annotator="ana")
    assert store.count_proposals() == 4 and store.load_meta("hub:org/a") == meta
    assert store.status(old[0].id) == "rejected" and store.status(old[1].id, "bob") == "rejected"
    assert len(store.events()) == 3 and store.events(old[1].id)[0].reason == "vague"
    assert not (ws / "store.json").exists() and (ws / "store.json.v1-migrated").exists()
    assert store.undo().proposal == old[0].id and store.status(old[0].id) == "accepted"
    assert Store(ws).count_proposals() == 4  # second open: no migration again


def test_given_corrupt_schema_1_store_then_error_and_file_kept(tmp_path):
    ws = tmp_path / "old"
    ws.mkdir()
    (ws / "store.json").write_text('{"proposals": {"1": {"data')
    with pytest.raises(StoreError, match="store.json"):
        Store(ws)
    assert (ws / "store.json").read_text() == '{"proposals": {"1": {"data'
    assert not (ws / "index.json").exists()


def test_given_workspace_locked_elsewhere_when_writing_then_store_error_after_timeout(ws):
    from filelock import FileLock

    store = Store(ws, lock_timeout=0.2)
    holder = FileLock(str(ws / ".lock"))
    with holder:
        with pytest.raises(StoreError, match="locked by another dynotui process"):
            store.add_proposals(props("hub:org/new"))
        pid = store.proposals()[0].id
        assert store.decide(pid, "accept").action == "accept"  # decisions need no lock
        assert Store(ws, lock_timeout=0.2).status(pid, "*") == "accepted"  # nor opening
    assert store.add_proposals(props("hub:org/new"))
