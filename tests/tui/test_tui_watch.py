"""The queue strip marks what was decided elsewhere, and proposals added by another process
(`dynotui import-tasks` in another terminal, a teammate's store) join an open queue without
moving the reviewer's place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tuikit import make_app, open_review, plain, settle, wait_for

ROOT = Path(__file__).resolve().parents[2]


def dynotui(workspace: Path, annotator: str, *args: str) -> str:
    """A `dynotui` command in its own process, as another terminal would run it."""
    done = subprocess.run([sys.executable, "-m", "dynotui", *args, "--workspace", str(workspace),
                           "--annotator", annotator], check=True, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    return done.stdout


def strip_lines(app) -> dict[str, str]:
    """What the queue strip shows, by proposal id."""
    strip = app.screen.query_one("#queue-strip")
    return {row[1].id: "".join(s.text for s in strip.render_line(y)).rstrip()
            for y, row in enumerate(strip._rows)}


def status_line(app) -> str:
    return plain(app.screen.query_one("#review-status"))


async def test_the_queue_strip_marks_who_decided_elsewhere(workspace):
    from dynotui.core.store import Store

    path, props = workspace
    with Store(path, annotator="bob") as bob:  # decided before the window opened
        bob.decide(props[3].id, "accept")
    app = make_app(path, start="review")
    async with app.run_test(size=(130, 40)) as pilot:
        review = await open_review(pilot, app)
        assert review.current.id == props[2].id
        lines = strip_lines(app)
        assert lines[props[3].id].endswith("⇄bob")
        assert "⇄" not in lines[props[0].id] + lines[props[2].id]
        # When bob, in his own process, rejects props[4], carol accepts props[3], and alice,
        # in another terminal, changes her reject of props[1] into an accept
        dynotui(path, "bob", "decide", props[4].id, "reject")
        dynotui(path, "carol", "decide", props[3].id, "accept")
        dynotui(path, "alice", "decide", props[1].id, "accept")
        # Then the strip says who decided each, without a key pressed here
        await wait_for(pilot, lambda: strip_lines(app)[props[1].id].endswith("⇄you")
                       and strip_lines(app)[props[3].id].endswith("⇄bob+1")
                       and strip_lines(app)[props[4].id].endswith("⇄bob"), timeout=10)
        lines = strip_lines(app)
        assert lines[props[1].id].startswith(" ✓ ")  # her status follows her other window
        assert lines[props[4].id].startswith(" · ")  # bob's decision is not hers
        # And the place and the counters are hers: still on props[2], 2 of 5 decided
        assert review.current.id == props[2].id and lines[props[2].id].startswith("▸")
        assert "all 2/5 (3 left)" in status_line(app)
        assert app.queue.all.by_status["accepted"] == 2 and app.queue.all.left == 3
        # And a reload of the queue keeps her other window's mark (this session's)
        app.load_queue(review.current.id)
        await settle(pilot, app)
        await wait_for(pilot, lambda: strip_lines(app)[props[1].id].endswith("⇄you"), timeout=5)
        # When she decides props[1] here, it is no longer marked as decided elsewhere
        review.queue.go(props[1].id)
        review.show_current()
        await pilot.press("x")
        await settle(pilot, app)
        lines = strip_lines(app)
        assert lines[props[1].id].startswith(" ✗ ") and "⇄" not in lines[props[1].id]
        # And a reload keeps the marks that stand (bob and carol) from the store
        app.load_queue(review.current.id)
        await settle(pilot, app)
        await pilot.pause(0.1)
        lines = strip_lines(app)
        assert lines[props[3].id].endswith("⇄bob+1") and lines[props[4].id].endswith("⇄bob")


async def test_proposals_added_by_other_processes_join_the_queue_in_place(workspace, tmp_path):
    from dynotui.core.models import Proposal, Task
    from dynotui.core.store import Store

    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(130, 40)) as pilot:
        review = await open_review(pilot, app)
        await pilot.press("n")  # looking at props[3], the first of the second dataset
        assert review.current.id == props[3].id
        assert "all 2/5 (3 left)" in status_line(app)
        # When bob's store adds two proposals to the first dataset and accepts one of them
        with Store(path, annotator="bob") as bob:
            new = bob.add_proposals([Proposal(dataset=props[0].dataset, config=props[0].config,
                                              task=Task(f"New task {i}: label the review.",
                                                        ["text"], "label"), model="m")
                                     for i in range(2)])
            bob.decide(new[1].id, "accept")
        # And someone imports a task list for a dataset not in the queue, in another process
        tasks = tmp_path / "tasks.json"
        tasks.write_text(json.dumps([{"task_name": "acme/reviews-default",
                                      "instruction": f"Imported task {i}.",
                                      "input_fields": ["text"], "output_field": "label"}
                                     for i in range(3)]))
        assert "3 imported" in dynotui(path, "carol", "import-tasks", str(tasks))
        # Then all five reach the open queue without a reload
        await wait_for(pilot, lambda: len(app.queue) == 10, timeout=10)
        await pilot.pause(0.1)
        ids = [p.id for p in app.queue.items]
        # the new ones of the first dataset after its others, the new dataset at the end
        assert ids[:5] == [props[0].id, props[1].id, props[2].id, new[0].id, new[1].id]
        assert ids[5:7] == [props[3].id, props[4].id]
        assert [app.queue.items[i].task.instruction for i in range(7, 10)] == \
            [f"Imported task {i}." for i in range(3)]
        # And the reviewer's place is kept (the same proposal, though now further down)
        assert review.current.id == props[3].id and app.queue.pos == 5
        # And the counters count them: 2 of 10 decided (bob's accept is his, shown in the strip)
        assert "all 2/10 (8 left)" in status_line(app)
        assert app.queue.status[new[1].id] == "undecided"
        assert strip_lines(app)[new[1].id].endswith("⇄bob")
        assert any("5 new proposals" in said and "your place is kept" in said
                   for said in app.said)
        # And a reload finds them in the same order
        app.load_queue(review.current.id)
        await settle(pilot, app)
        assert [p.id for p in app.queue.items] == ids and review.current.id == props[3].id
        # And after the last one here, accepting goes on to the first new undecided one
        review.queue.go(props[2].id)
        review.show_current()
        await pilot.press("a")
        await settle(pilot, app)
        assert review.current.id == new[0].id


async def test_an_empty_queue_shows_the_first_proposal_another_process_adds(tmp_path):
    path = tmp_path / "ws"
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps([{"task_name": "acme/reviews-default",
                                  "instruction": "Label the review.", "input_fields": ["text"],
                                  "output_field": "label"}]))
    app = make_app(path, start="review")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.queue is not None)
        assert "No proposals yet" in plain(app.screen.query_one("#proposal"))
        dynotui(path, "alice", "import-tasks", str(tasks))
        await wait_for(pilot, lambda: app.review.current is not None, timeout=10)
        await pilot.pause(0.1)
        assert "Label the review." in plain(app.screen.query_one("#proposal"))
        assert "all 0/1 (1 left)" in status_line(app)
