"""Store under SIGKILL at random moments, and several processes writing one workspace at once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store

KILLS = 110


def seed_props(n: int, dataset: str) -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"Answer question {i} from the passage.",
                                                ["passage", "question"], "answer"))
            for i in range(n)]


def _decider(ws: Path, wfd: int, run: int) -> None:
    """Child: decide, undo, edit and add proposals forever, reporting each durable result."""
    rng = random.Random(run)
    store = Store(ws, annotator=f"k{run % 3}", session=f"run{run}")
    pids = [p.id for p in store.proposals()]
    os.write(wfd, b"ready\n")
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.70:
            event = store.decide(rng.choice(pids), rng.choice(["accept", "reject", "skip", "flag"]))
            line = f"event {event.id}"
        elif roll < 0.80:
            event = store.undo()
            line = f"event {event.id}" if event else "none -"
        elif roll < 0.90:
            new = store.edit(rng.choice(pids), Task(f"Edited {run}-{n}.", ["passage"], "answer"))
            line = f"proposal {new.id}"
        else:
            added = store.add_proposals(seed_props(3, f"sample:grow{rng.randrange(4)}")
                                        + [Proposal(dataset="sample:grow", task=Task(
                                            f"New {run}-{n}.", ["passage"], "answer"))])
            line = " ".join(["proposal"] + [p.id for p in added[-1:]])
        os.write(wfd, (line + "\n").encode())


def _check_files_readable(ws: Path) -> None:
    for path in [ws / "index.json", *(ws / "datasets").glob("*.json")]:
        assert json.loads(path.read_bytes())["_dynotui"], path
    for path in (ws / "decisions").rglob("*.jsonl"):
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path} ends in a partial line"
        for line in raw.splitlines():
            json.loads(line)


def test_given_sigkill_at_random_moments_then_every_reported_write_survives(tmp_path):
    ws = tmp_path / "ws"
    Store(ws, annotator="setup").add_proposals(seed_props(200, "sample:qa"))
    rng = random.Random(7)
    reported_events: set[str] = set()
    reported_props: set[str] = set()
    killed_mid_work = 0
    for run in range(KILLS):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(rfd)
            try:
                _decider(ws, wfd, run)
            finally:
                os._exit(1)
        os.close(wfd)
        head = b""
        if run % 10:  # every tenth child dies while opening the store instead
            while not head.endswith(b"ready\n"):
                head += os.read(rfd, 6 - len(head)) or b"ready\n"
        time.sleep(rng.uniform(0.020, 0.080))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(rfd, "rb") as fh:
            out = (head + fh.read()).decode()
        lines = [x for x in out.split("\n")[:-1] if x != "ready"]  # complete lines only
        killed_mid_work += bool(lines)
        for line in lines:
            kind, *ids = line.split()
            (reported_events if kind == "event" else reported_props).update(
                i for i in ids if kind != "none")
        _check_files_readable(ws)
    store = Store(ws, annotator="check")
    assert store.problems == []
    assert reported_events <= {e.id for e in store.events()}
    assert reported_props <= {p.id for p in store.proposals()}
    # most kills land mid-work (on a loaded machine fewer do; the checks above are the point)
    assert killed_mid_work > KILLS * 0.5 and len(reported_events) > 100
    assert not list(ws.rglob(".*.tmp-*"))  # temp files of killed writers cleaned up
    assert len(list((ws / "decisions").rglob("*.jsonl"))) < 20  # dead writers' files continued


def test_given_cli_decide_killed_then_printed_ids_are_decided(tmp_path):
    ws = tmp_path / "ws"
    Store(ws).add_proposals(seed_props(3000, "sample:qa"))
    printed: set[str] = set()
    env = {**os.environ, "DYNOTUI_WORKSPACE": str(ws), "DYNOTUI_ANNOTATOR": "cli"}
    for delay in (0.0, 0.1, 0.3):  # after its first printed id, whatever the start-up took
        proc = subprocess.Popen([sys.executable, "-m", "dynotui", "decide", "accept",
                                 "--status", "undecided"], stdout=subprocess.PIPE, env=env)
        first = proc.stdout.readline()
        time.sleep(delay)
        proc.kill()
        out = first.decode() + proc.communicate()[0].decode()
        printed.update(line.split("\t")[0] for line in out.split("\n")[:-1])
    store = Store(ws, annotator="cli")
    accepted = {p.id for p in store.accepted(annotator="cli")}
    assert printed and printed <= accepted
    assert store.problems == []


WORKER = textwrap.dedent("""
    import os, random, sys, time
    from pathlib import Path
    from dynotui.core.models import Proposal, Task
    from dynotui.core.store import Store
    ws, n, annotator, session, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    store = Store(ws, annotator=annotator, session=session)
    pids = sorted(p.id for p in store.proposals())
    while not Path(go).exists():
        time.sleep(0.002)
    rng = random.Random(annotator + session)
    for i in range(n):
        ev = store.decide(rng.choice(pids), rng.choice(["accept", "reject", "skip"]))
        print("event", ev.id, ev.proposal, ev.action, flush=True)
        if i % 25 == 0:
            task = Task(f"{annotator} {session} {os.getpid()} task {i}.", ["passage"], "answer")
            added = store.add_proposals([Proposal(dataset=f"sample:shared{i % 2}", task=task)])
            print("proposal", added[0].id, flush=True)
        if i % 50 == 0:
            store.mark_generation(f"{annotator}-{os.getpid()}-{i}", {"i": i})
            store.add_stage({"who": annotator, "i": i})
""")


def test_given_four_processes_deciding_at_once_then_nothing_is_lost(tmp_path):
    ws = tmp_path / "ws"
    Store(ws).add_proposals(seed_props(300, "sample:qa"))
    go = tmp_path / "go"
    # two of them share annotator and session name: they must still get separate files
    who = [("ann", "same"), ("ann", "same"), ("bea", "b"), ("cy", "c")]
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(ws), "260", a, s, str(go)],
                              stdout=subprocess.PIPE, text=True) for a, s in who]
    time.sleep(0.5)
    go.touch()
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    store = Store(ws, annotator="check")
    events = {e.id: e for e in store.events()}
    expected_last: dict[tuple[str, str], str] = {}
    total = 0
    for (annotator, _), out in zip(who, outs):
        lines = [line.split() for line in out.splitlines()]
        decided = [x for x in lines if x[0] == "event"]
        assert len(decided) == 260
        total += len(decided)
        for _, eid, pid, action in decided:
            assert events[eid].proposal == pid and events[eid].action == action
        for _, pid in (x for x in lines if x[0] == "proposal"):
            store.proposal(pid)
    assert total == len(events) == 1040
    # per annotator, the status is the action of its latest event
    for event in sorted(events.values(), key=lambda e: (e.ts, e.id)):
        expected_last[(event.annotator, event.proposal)] = event.action
    status = {"accept": "accepted", "reject": "rejected", "skip": "skipped"}
    for (annotator, pid), action in expected_last.items():
        assert store.status(pid, annotator) == status[action]
    assert store.count_proposals() == 300 + 4 * 11
    assert len(store.generations()) == len(store.stages()) == 4 * 6
    assert sorted(s["id"] for s in store.stages()) == list(range(1, 25))
    assert len(list((ws / "decisions").rglob("same-*.jsonl"))) == 2
