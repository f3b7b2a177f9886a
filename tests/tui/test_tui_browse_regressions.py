"""Regressions found by using Browse, Export and Stats in tmux: a panel left stale, an export
that wrote nothing, verdicts and numbers cut at 80 columns, errors that did not say what to do."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from dynotui.core.models import Proposal, Task
from tuikit import add_proposals as add, make_app, plain, settle, wait_for


async def test_browse_panel_follows_an_empty_list(tmp_path):
    # Given Browse on the samples, showing the first dataset
    app = make_app(tmp_path / "ws", start="browse")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        detail = app.screen.query_one("#detail")
        await wait_for(pilot, lambda: "sample:" in plain(detail))
        # When a search matches nothing
        await pilot.press("slash", *"zzzz-nothing")
        status = app.screen.query_one("#list-status")
        await wait_for(pilot, lambda: "No dataset matches" in plain(status))
        await pilot.pause(0.3)
        # Then the panel no longer shows the dataset that was highlighted before
        assert "sample:" not in plain(detail)
        # When I switch to a local folder with no path yet, the hint stays
        await pilot.press("escape", "ctrl+u", "escape")
        app.screen.query_one("#search").value = ""
        app.screen.action_next_source()
        await settle(pilot, app)
        await pilot.pause(0.3)
        assert "type a folder or file path" in plain(status)
        assert "sample:" not in plain(detail)
        # And the list keeps the focus (a second o cycles on), while l goes to the path field
        assert app.focused is app.screen.query_one("#datasets")
        await pilot.press("l", *"/nowhere")
        assert app.screen.query_one("#path").value == "/nowhere"


async def test_export_that_makes_nothing_says_nothing_was_written(tmp_path):
    # Given accepted tasks only on datasets that cannot be read
    path = tmp_path / "ws"
    lost = [Proposal(dataset=f"local:/nonexistent-qa/d{i}.jsonl",
                     task=Task(f"Answer question {i}.", ["q"], "a"), created=float(i))
            for i in range(8)]
    add(path, *lost, accept=True)
    app = make_app(path, start="export")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        out = tmp_path / "out.json"
        app.screen.query_one("#out").value = str(out)
        # When I run the export
        await pilot.press("ctrl+s")
        result = app.screen.query_one("#export-result")
        await wait_for(pilot, lambda: "could not be read" in plain(result), timeout=30)
        text = plain(result)
        # Then it does not claim success, and the list of failures is cut to a few lines
        assert "Done." not in text and "Nothing written" in text
        assert "8 dataset(s) could not be read" in text and "… and 3 more" in text
        assert not out.exists()


async def test_browse_at_80_columns_shows_each_datasets_verdict(tmp_path):
    # Given Browse at 80x24
    app = make_app(tmp_path / "ws", start="browse")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#datasets")
        await wait_for(pilot, lambda: len(table.entries) > 0)
        await pilot.pause(0.2)
        # Then the verdict column lies inside the visible part of the list
        header, first = [strip.text for strip in
                         table.render_lines(Region(0, 0, table.size.width, 2))]
        assert " ok " in header and "✓" in first
        assert header.index(" ok ") + 4 <= table.scrollable_content_region.width


async def test_a_broken_local_file_says_why_and_stops_saying_loading(tmp_path):
    # Given a folder with one JSON Lines file whose second line is cut
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "broken.jsonl").write_text('{"a": 1, "b": "x"}\n{"a": 2, "b": \n')
    app = make_app(tmp_path / "ws", start="browse", source=str(folder))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        detail = app.screen.query_one("#detail")
        # Then the panel names the line, and no longer says it is loading
        await wait_for(pilot, lambda: "Could not load this dataset" in plain(detail))
        assert "line 2" in plain(detail) and "loading metadata" not in plain(detail)


def test_stats_table_at_80_columns_never_cuts_a_number():
    # Given a dataset with four-digit counts and a long name, drawn 78 cells wide
    from rich.console import Console

    from dynotui.tui.screens.stats import group_table

    name = "local:/a/very/long/path/to/a/dataset/with/a/long/name/data.jsonl"
    rows = {name: {"proposals": 12345, "accepted": 1594, "rejected": 0, "skipped": 0,
                   "edited": 0, "undecided": 10751, "acceptance_rate": 1.0}}
    console = Console(width=78, record=True, file=open("/dev/null", "w"))
    console.print(group_table("By dataset", rows))
    text = console.export_text()
    # Then every number is there in full, and the name is what gives way
    row = next(line for line in text.splitlines() if "local:" in line)
    for number in ("12345", "1594", "10751", "100%"):
        assert number in row, row
    assert "…" in row


async def test_a_listing_error_says_what_to_do(tmp_path):
    # Given a local path that does not exist
    app = make_app(tmp_path / "ws", start="browse", source=str(tmp_path / "nowhere"))
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot, app)
        status = app.screen.query_one("#list-status")
        # Then the line under the list says what is wrong and what to do about it
        await wait_for(pilot, lambda: "nowhere" in plain(status))
        from dynotui.core.errors import DynoError
        from dynotui.core.sources import list_datasets

        with pytest.raises(DynoError) as caught:
            list_datasets(source="local", path=str(tmp_path / "nowhere"))
        assert caught.value.hint and caught.value.hint in plain(status)
