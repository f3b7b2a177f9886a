"""fork_map: the same results in the same order as the plain loop, from other processes when
it is safe, in this one when another thread is alive; an import checks a big list the same way
sequentially and shared among processes."""

from __future__ import annotations

import json
import os
import threading

import pytest
from shareddata import release_file

from dynotui.core import parallel
from dynotui.core.generation import tasklist
from dynotui.core.parallel import fork_map


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fails_on(x: int) -> int:
    if x == 2500:
        raise ValueError(f"item {x}")
    return x


def test_results_match_the_plain_loop_in_order_and_come_from_workers():
    items = [(i,) for i in range(3500)]
    out = fork_map(_square_and_pid, items, above=10)
    assert [r for r, _ in out] == [i * i for i in range(3500)]
    if parallel.cpus() >= 2 and threading.active_count() == 1:
        assert os.getpid() not in {pid for _, pid in out}


def test_a_worker_s_exception_reaches_the_caller():
    with pytest.raises(ValueError, match="item 2500"):
        fork_map(_fails_on, [(i,) for i in range(3000)], above=10)


def test_with_another_thread_alive_it_runs_here():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        out = fork_map(_square_and_pid, [(i,) for i in range(3000)], above=10)
    finally:
        stop.set()
        thread.join()
    assert {pid for _, pid in out} == {os.getpid()}


def test_an_import_checks_the_release_the_same_shared_or_not(monkeypatch):
    release = release_file()
    if not release.exists():
        pytest.skip(f"the released task list is not at {release} (set DYNOTUI_SHARED_DATA)")
    entries = json.loads(release.read_text())[:3000]

    def verdicts(above: int) -> list:
        monkeypatch.setattr(tasklist, "PARALLEL_ABOVE", above)
        props, _ = tasklist.build_proposals(entries, "x")
        return [(p.id, [v.to_dict() for v in p.verdicts]) for p in props]

    shared = verdicts(0)
    assert shared == verdicts(10**9)
    assert sum(1 for _, v in shared if v) > 1000  # the checks found things to say
