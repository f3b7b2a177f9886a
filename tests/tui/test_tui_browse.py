"""Browse: sources, search, filters and the dataset panel, against a loopback Hub too."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubserver import HubServer
from tuikit import make_app, plain, select_dataset, settle, wait_detail, wait_for

SAMPLES = Path(__file__).resolve().parents[2] / "dynotui" / "samples"


async def test_search_and_filters_narrow_the_sample_list(tmp_path):
    app = make_app(tmp_path / "ws")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#datasets")
        await wait_for(pilot, lambda: len(table.entries) == 8)
        # When I search for a word, only matching datasets stay
        await pilot.press("slash", *"news")
        await pilot.pause(0.4)
        await settle(pilot, app)
        assert {e.name for e in table.entries} == {"local-news-summaries", "news-topics"}
        # And a license filter narrows further
        await pilot.press(*" license:mit", "enter")
        await settle(pilot, app)
        assert [e.name for e in table.entries] == ["news-topics"]
        assert "1 dataset ·" in plain(app.screen.query_one("#list-status"))


async def test_marked_datasets_are_what_g_generates(tmp_path):
    app = make_app(tmp_path / "ws")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await select_dataset(pilot, app, "sst-mini")
        await pilot.press("m")
        await select_dataset(pilot, app, "news-topics")
        await pilot.press("m")
        table = app.screen.query_one("#datasets")
        assert {e.name for e in table.selected()} == {"sst-mini", "news-topics"}
        await pilot.press("m")  # unmark
        assert [e.name for e in table.selected()] == ["sst-mini"]


@pytest.fixture
def hub(tmp_path, monkeypatch):
    with HubServer() as server:
        server.add_folder("acme/sentiment", SAMPLES / "sst-mini", downloads=10)
        server.add_folder("acme/topics", SAMPLES / "news-topics", downloads=5)
        for key, value in server.env(tmp_path / "hf").items():
            monkeypatch.setenv(key, value)
        yield server


async def test_hub_source_lists_searches_and_shows_a_dataset(tmp_path, hub):
    # Given the Hub as the source
    app = make_app(tmp_path / "ws", source="hub")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#datasets")
        await wait_for(pilot, lambda: len(table.entries) == 2)
        # When I search and press Enter, the Hub is asked and one dataset stays
        await pilot.press("slash", *"topics", "enter")
        await settle(pilot, app)
        await wait_for(pilot, lambda: [e.id for e in table.entries] == ["hub:acme/topics"])
        # Then its panel shows the card's features with ClassLabel names
        detail = await wait_detail(pilot, app, "hub:acme/topics")
        assert "hub:acme/topics" in detail and "ClassLabel" in detail


async def test_the_bundled_samples_are_listed_in_the_first_frame(tmp_path, monkeypatch):
    from dynotui.tui.screens.browse import BrowseScreen
    from dynotui.tui.widgets.dataset_table import DatasetTable

    listed: list[int] = []
    pages: list[int] = []
    mounted = BrowseScreen.on_mount

    def on_mount(screen) -> None:  # the screen is drawn once its on_mount has run
        mounted(screen)
        listed.append(len(screen.query_one("#datasets").entries))
    monkeypatch.setattr(BrowseScreen, "on_mount", on_mount)
    monkeypatch.setattr(DatasetTable, "_load", lambda self, *args: pages.append(args[2]))
    app = make_app(tmp_path / "ws", start="browse")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        # Then the eight samples are listed before the first frame, from the samples' index:
        # no page was asked of a worker
        assert listed == [8] and pages == []
        # And the first one's panel follows
        await wait_for(pilot, lambda: "Entailment Pairs" in app.browse.query_one("#detail").plain)
