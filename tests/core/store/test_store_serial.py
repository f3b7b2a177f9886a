"""Every public Store method runs under the in-process lock (@serial), so threads never
interleave inside the store (the TUI reads in workers while another thread writes)."""

from __future__ import annotations

import threading

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store

UNLOCKED = {"locked"}  # returns the cross-process lock itself


def test_every_public_method_is_serial():
    missing = []
    for name, member in vars(Store).items():
        if name.startswith("_") or name in UNLOCKED:
            continue
        func = member.fget if isinstance(member, property) else member
        if callable(func) and not hasattr(func, "__wrapped__"):
            missing.append(name)
    assert missing == [], f"add @serial to: {', '.join(missing)}"


def test_generation_marks_from_threads_all_land(tmp_path):
    # Given one store shared by threads, when they mark generations and add proposals at once
    store = Store(tmp_path / "ws", annotator="a")

    def work(n: int) -> None:
        store.mark_generations({f"k{n}-{i}": {"n": i} for i in range(5)})
        store.add_proposals([Proposal(dataset="sample:x", task=Task(f"Task {n}.", ["q"], "a"))])
        store.mark_generation(f"single{n}", {})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then nothing was lost
    fresh = Store(tmp_path / "ws", annotator="b")
    assert len(fresh.generations()) == 8 * 6 and fresh.count_proposals() == 8
