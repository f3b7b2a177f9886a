"""Many annotators in one workspace: decisions made elsewhere reach an open Review screen.

Another window of the same annotator changes this window's statuses and counters; another
annotator's decision is shown on the proposal ("accepted by bob"); both within about two
seconds, without a reload, and the counters stay right.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuikit import make_app, open_review, plain, settle, wait_for

ROOT = Path(__file__).resolve().parents[2]


def decide(workspace: Path, annotator: str, pid: str, action: str) -> None:
    """`dynotui decide` in its own process, as another terminal would run it."""
    subprocess.run([sys.executable, "-m", "dynotui", "decide", "--workspace", str(workspace),
                    "--annotator", annotator, pid, action], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def status_line(app) -> str:
    return plain(app.screen.query_one("#review-status"))


async def test_another_window_of_mine_updates_statuses_and_counters(workspace):
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(110, 30)) as pilot:
        review = await open_review(pilot, app)
        assert review.current.id == props[2].id
        assert "all 2/5 (3 left)" in status_line(app)
        # When alice, in another terminal, rejects the proposal this window shows
        decide(path, "alice", props[2].id, "reject")
        seen = time.monotonic()
        # Then within about two seconds this window shows it rejected, says where it came
        # from, and counts it (no reload, no key pressed here)
        await wait_for(pilot, lambda: app.queue.status[props[2].id] == "rejected", timeout=5)
        took = time.monotonic() - seen
        await pilot.pause(0.1)
        shown = plain(app.screen.query_one("#proposal"))
        assert "rejected by you, in another window" in shown and "✗ rejected" in shown
        assert "all 3/5 (2 left)" in status_line(app)
        assert took < 2.5, f"took {took:.1f} s"
        # And when she accepts one that window had rejected, the counters follow, not add
        decide(path, "alice", props[1].id, "accept")
        await wait_for(pilot, lambda: app.queue.status[props[1].id] == "accepted", timeout=5)
        tally = app.queue.all.by_status
        assert (tally["accepted"], tally["rejected"], app.queue.all.left) == (2, 1, 2)
        assert app.queue.all.acceptance == pytest.approx(2 / 3)
        # And a reload agrees with what the watch made of it
        app.load_queue(review.current.id)
        await settle(pilot, app)
        assert app.queue.status[props[1].id] == "accepted"
        assert app.queue.status[props[2].id] == "rejected"
        assert app.queue.all.left == 2


async def test_another_annotators_decision_shows_on_the_proposal(workspace):
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(110, 30)) as pilot:
        review = await open_review(pilot, app)
        before = status_line(app)
        # When bob accepts the proposal alice is looking at
        decide(path, "bob", props[2].id, "accept")
        # Then alice sees who decided it, and it stays undecided for her (her own counters)
        await wait_for(pilot, lambda: "accepted by bob" in plain(app.screen.query_one(
            "#proposal")), timeout=5)
        shown = plain(app.screen.query_one("#proposal"))
        assert "bob ✓ accepted" in shown and "· undecided" in shown
        assert app.queue.status[props[2].id] == "undecided"
        assert status_line(app).split("│")[1:3] == before.split("│")[1:3]
        # And when bob flags it, the flag shows here too (flags are anyone's)
        decide(path, "bob", props[2].id, "flag")
        await wait_for(pilot, lambda: props[2].id in app.queue.flagged, timeout=5)
        await pilot.pause(0.1)
        assert "flagged" in plain(app.screen.query_one("#proposal"))
        # And alice's own accept is still hers to make
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "accepted"
        assert app.store.status(props[2].id, "bob") == "accepted"


async def test_two_open_windows_see_each_other(workspace):
    # Given alice and bob each with the workbench open on one workspace
    path, props = workspace
    alice = make_app(path, start="review")
    bob = make_app(path, start="review", annotator="bob")
    async with alice.run_test(size=(110, 30)) as pa, bob.run_test(size=(110, 30)) as pb:
        await open_review(pa, alice)
        await open_review(pb, bob)
        assert bob.review.current.id == props[0].id
        # When bob rejects his first proposal (one alice accepted)
        await pb.press("x")
        await settle(pb, bob)
        # Then alice's window, when she gets there, shows bob's reject beside her accept
        await wait_for(pa, lambda: alice.queue.others.get(props[0].id) == {"bob": "rejected"},
                       timeout=5)
        # (two apps in one test: Pilot keys would reach the last one started; move directly)
        alice.review.queue.go(props[0].id)
        alice.review.show_current()
        await pa.pause()
        shown = plain(alice.screen.query_one("#proposal"))
        assert "✓ accepted" in shown and "rejected by bob" in shown
        # And her counters are hers: still 2 of 5 decided, 1 accepted
        assert alice.queue.all.by_status["accepted"] == 1 and alice.queue.all.left == 3


async def test_an_edit_made_elsewhere_brings_its_new_version_into_the_queue(workspace):
    from dynotui.core.models import Task
    from dynotui.core.store import Store

    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(110, 30)) as pilot:
        review = await open_review(pilot, app)
        # When alice, in another window, edits the proposal after the one shown here
        with Store(path, annotator="alice") as other:
            new = other.edit(props[3].id, Task("Summarise the story in one line.",
                                               ["document"], "summary"))
        # Then the queue reloads on its own: the new version is in, accepted, the old one out
        await wait_for(pilot, lambda: new.id in app.queue.index, timeout=10)
        assert props[3].id not in app.queue.index
        assert app.queue.status[new.id] == "accepted"
        # And this window still shows what it showed
        assert review.current.id == props[2].id
