"""The review queue's counts and moves, without a terminal."""

from __future__ import annotations

from dynotui.core.models import Proposal, Task
from dynotui.tui.queue import ReviewQueue


def props(n: int, dataset: str = "sample:a") -> list[Proposal]:
    return [Proposal(dataset=dataset, task=Task(f"task {i}", ["x"], "y"), created=i)
            for i in range(n)]


def test_starts_at_first_undecided_and_counts():
    # Given three proposals of which the first is accepted
    items = props(3)
    queue = ReviewQueue(items, {items[0].id: "accepted"})
    # Then the current one is the second, and the tallies say 1 done / 2 left
    assert queue.current.id == items[1].id
    assert (queue.all.done, queue.all.left, queue.all.total) == (1, 2, 3)
    assert queue.datasets["sample:a"].acceptance == 1.0


def test_set_status_and_advance_skip_decided():
    items = props(4)
    queue = ReviewQueue(items, {items[2].id: "rejected"})
    queue.set_status(items[0].id, "accepted")
    assert queue.advance().id == items[1].id
    queue.set_status(items[1].id, "accepted")
    # When advancing past a decided one, the next undecided is chosen
    assert queue.advance().id == items[3].id
    assert queue.all.acceptance == 2 / 3


def test_edited_versions_replace_the_old_one():
    items = props(3)
    queue = ReviewQueue(items, {})
    new = Proposal(dataset="sample:a", task=Task("better", ["x"], "y"), parent=items[1].id)
    queue.go(items[2].id)
    assert queue.add([new], after=items[1].id, statuses={new.id: "accepted"}) == 1
    queue.remove(items[1].id)
    # Then the new version stands where the old was, and the position stays on the same item
    assert [p.id for p in queue.items] == [items[0].id, new.id, items[2].id]
    assert queue.current.id == items[2].id
    assert queue.all.total == 3 and queue.all.by_status["accepted"] == 1


def test_all_decided_stays_in_range_and_window_is_bounded():
    items = props(50)
    queue = ReviewQueue(items, {p.id: "accepted" for p in items})
    assert queue.all.left == 0 and queue.current is not None
    queue.pos = 49
    assert queue.advance().id == items[49].id
    window = queue.window(10)
    assert len(window) == 10 and window[-1][0] == 49


def test_empty_queue():
    queue = ReviewQueue([], {})
    assert queue.current is None and queue.move(1) is None and queue.window(5) == []
