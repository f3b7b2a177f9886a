"""The Export screen's style choice reaches the export: dynosaur rows, dedupe greyed out."""

from __future__ import annotations

import json

from textual.widgets import Checkbox, Select

from dynotui.core.models import Task
from dynotui.core.store import Store
from exportkit import add_task, write_jsonl
from tuikit import make_app, plain, settle, wait_for


async def test_choosing_the_dynosaur_style_exports_the_original_rows(tmp_path):
    # Given an accepted two-field task on a local dataset whose rows repeat and carry padding
    data = write_jsonl(tmp_path / "pairs.jsonl",
                       [{"a": " same ", "b": "x", "label": ["yes", "no"][i % 2], "pair": ["p", "q"]}
                        for i in range(30)])
    store = Store(tmp_path / "ws", annotator="alice")
    add_task(store, f"local:{data}", Task("Do they match?", ["a", "b"], "label"))
    # and one whose output is a list, which the original left out
    add_task(store, f"local:{data}", Task("Both fields.", ["label"], "pair"))
    app = make_app(tmp_path / "ws", start="export")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        out = tmp_path / "out.jsonl"
        app.screen.query_one("#out").value = str(out)
        app.screen.query_one("#format", Select).value = "jsonl"
        # When I pick the dynosaur style with the keyboard
        app.screen.query_one("#style", Select).focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot, app)
        assert app.screen.query_one("#style", Select).value == "dynosaur"
        assert app.screen.query_one("#dedupe", Checkbox).disabled
        # and run the export
        await pilot.press("ctrl+s")
        result = app.screen.query_one("#export-result")
        await wait_for(pilot, lambda: "Done." in plain(result), timeout=60)
        assert "tasks dropped: output not text 1" in plain(result)
    # Then every row is there (no dedupe), as the original wrote it
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["instruction"] for r in rows} == {"Do they match? Answers must be one of yes, no."}
    assert len(rows) == 30
    assert rows[0]["instruction"] == "Do they match? Answers must be one of yes, no."
    assert rows[0]["input"] == "a is 'same'. b is 'x'. "
