"""Snapshots of each screen at 100x30 on fixed data (run with --snapshot-update to accept)."""

from __future__ import annotations

import pytest

from tuikit import make_app, plain, seed_workspace, settle, wait_for

SIZE = (100, 30)


@pytest.fixture
def app(tmp_path, monkeypatch):
    # The export form shows its output path relative to the current folder: run from
    # tmp_path, so the snapshot shows "ws/exports/…" whatever tmp_path is.
    monkeypatch.chdir(tmp_path)
    seed_workspace(tmp_path / "ws")
    return make_app(tmp_path / "ws", start="review")


def still(app) -> None:
    """No blinking cursors: a snapshot must not depend on when it is taken."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False


def until(predicate, *keys: str):
    """Press `keys`, then wait for `predicate` and a quiet app (run_before runs before `press`)."""
    async def run_before(pilot) -> None:
        await settle(pilot, pilot.app)
        await pilot.press(*keys)
        await settle(pilot, pilot.app)
        await wait_for(pilot, lambda: predicate(pilot.app))
        still(pilot.app)
        await settle(pilot, pilot.app)
    return run_before


def review_ready(app) -> bool:
    return (app.review is not None and app.review.current is not None
            and "Row 1" in plain(app.screen.query_one("#samples")))


def test_review_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=until(review_ready))


def test_browse_screen(app, snap_compare):
    def ready(app) -> bool:
        return app.current_mode == "browse" and "Features" in plain(app.screen.query_one("#detail"))
    assert snap_compare(app, terminal_size=SIZE, run_before=until(ready, "f2"))


def test_edit_screen(app, snap_compare):
    async def run_before(pilot) -> None:
        await until(review_ready)(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: "Row 1" in plain(pilot.app.screen.query_one("#edit-samples")))
        still(pilot.app)
        await settle(pilot, pilot.app)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_export_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=until(lambda app: app.current_mode == "export", "f4"))


def test_stats_screen(app, snap_compare):
    def ready(app) -> bool:
        return app.current_mode == "stats" and "computing" not in plain(app.screen.query_one("#stats"))
    assert snap_compare(app, terminal_size=SIZE, run_before=until(ready, "f5"))


def test_help_screen(app, snap_compare):
    async def run_before(pilot) -> None:
        await until(review_ready)(pilot)
        await pilot.press("question_mark")
        await settle(pilot, pilot.app)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
