"""Growth in the app: c on Browse crawls the loopback Hub into a stage (the same records as
`dynotui crawl`), Esc cancels it, and the palette generates for the crawl queue."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from hubfleet import make_fleet, serve
from hubserver import HubServer
from llmserver import LLMServer
from tuikit import make_app, plain, settle, wait_for

N = 30


@pytest.fixture(scope="module")
def fleet():
    return make_fleet(N, seed=11, ok_weight=20)


@pytest.fixture
def hub(fleet, tmp_path, monkeypatch):
    # CI runs with HF_HUB_OFFLINE=1 / HF_DATASETS_OFFLINE=1: the env says online for this Hub.
    with HubServer(page_size=10) as server:
        serve(server, fleet)
        for key, value in server.env(tmp_path / "hf").items():
            monkeypatch.setenv(key, value)
        yield server


def stages(workspace):
    from dynotui.core.growth.log import stage_summaries

    return stage_summaries(workspace)


def expected(repos) -> tuple[int, Counter]:
    """Queued count and skips by first failing rule, from how the fleet was generated."""
    return (sum(1 for r in repos if not r.expect),
            Counter(r.expect for r in repos if r.expect))


def shown(static) -> str:
    """The text of a Static holding any rich renderable (Stats holds a Group)."""
    from rich.console import Console

    console = Console(width=400, record=True, file=open("/dev/null", "w"))
    console.print(static.content)
    return console.export_text()


def on_screen(app) -> str:
    """The terminal's text as a person sees it (from the screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def notices(app) -> list[str]:
    return app.said


async def palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*command)
    await pilot.pause(0.5)
    await pilot.press("enter")


async def crawl_with(pilot, app, limit: str | None) -> None:
    """Press c, answer the limit prompt (None: accept the default), wait for the worker."""
    await pilot.press("c")
    await wait_for(pilot, lambda: app.screen.query("#crawl-limit"))
    if limit is not None:
        await pilot.press("ctrl+u", *limit)
    await pilot.press("enter")
    runner = app.browse.query_one("#crawl-runner")
    await wait_for(pilot, lambda: not runner.running, timeout=60)
    await settle(pilot, app)


async def test_c_crawls_the_hub_into_a_stage_and_again_continues_it(tmp_path, hub, fleet):
    # Given Browse on the Hub source
    app = make_app(tmp_path / "ws", source="hub")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#datasets")
        await wait_for(pilot, lambda: len(table.entries) > 0)
        # When I press c and ask for at most 12 datasets
        await crawl_with(pilot, app, "12")
        # Then stage 1 holds the 12 most downloaded, queued and skipped as the fleet says
        queued, skipped = expected(fleet[:12])
        [stage] = stages(app.store.workspace)
        assert (stage["stage"], stage["seen"], stage["queued"]) == (1, 12, queued)
        assert Counter(stage["skipped"]) == skipped
        line = notices(app)[-1]
        assert line.startswith(f"Crawl stage 1: 12 seen, {queued} queued")
        assert "stopped at 12; press c again" in line
        # And the progress line is gone
        assert not app.screen.query_one("#generation").display
        # When I press c again with the default limit, the same stage goes on to the end
        await crawl_with(pilot, app, None)
        queued, skipped = expected(fleet)
        [stage] = stages(app.store.workspace)
        assert (stage["seen"], stage["queued"], stage["runs"]) == (N, queued, 2)
        assert Counter(stage["skipped"]) == skipped
        assert "the listing is exhausted" in notices(app)[-1]
        # And Stats shows the stage as `dynotui crawl --stages` does
        from dynotui.core.growth.log import stage_line

        await pilot.press("f5")
        stats = app.screen.query_one("#stats")
        await wait_for(pilot, lambda: "Crawl stages" in shown(stats), timeout=20)
        assert stage_line(stage) in shown(stats)
        await pilot.pause()
        assert stage_line(stage)[:60] in on_screen(app)  # drawn, not only in the renderable


async def test_the_search_box_and_task_filter_make_the_crawl_query(tmp_path, hub, fleet):
    app = make_app(tmp_path / "ws", source="hub")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        # Given a search and a task filter typed in the search box
        await pilot.press("slash", *"org3 task:text-classification", "enter")
        await settle(pilot, app)
        # When I crawl
        await crawl_with(pilot, app, None)
        # Then only the matching datasets were examined, under that query
        wanted = [r for r in fleet if r.id.startswith("org3/") and r.kind != "translation"]
        [stage] = stages(app.store.workspace)
        assert stage["query"]["search"] == "org3"
        assert stage["query"]["task_category"] == "text-classification"
        assert stage["seen"] == len(wanted) and stage["queued"] == expected(wanted)[0]


async def test_escape_cancels_a_crawl_and_c_resumes_it_without_repeats(tmp_path, hub, fleet):
    # Given a Hub slow to hand out dataset files
    hub.fault(r"/resolve/", delay=0.6)
    app = make_app(tmp_path / "ws", source="hub")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.query("#crawl-limit"))
        await pilot.press("enter")
        runner = app.browse.query_one("#crawl-runner")
        await wait_for(pilot, lambda: any("/resolve/" in p for p in hub.paths()), timeout=20)
        assert app.screen.query_one("#generation").display
        assert "Esc stops" in plain(app.screen.query_one("#gen-label"))
        # When I press Esc, the crawl stops soon, short of the listing's end
        started = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not runner.running, timeout=30)
        assert time.monotonic() - started < 15
        assert runner.reports[-1].stopped == "cancelled"
        assert "cancelled; press c again" in notices(app)[-1]
        first = stages(app.store.workspace)[0]["seen"]
        assert first < N
        # Then c again finishes the stage: every dataset recorded exactly once
        hub.clear_faults()
        await crawl_with(pilot, app, None)
        from dynotui.core.growth.log import CrawlLog

        ids = [r["id"] for r in CrawlLog(app.store.workspace).read() if r["t"] == "seen"]
        assert sorted(ids) == sorted(r.id for r in fleet)
        assert stages(app.store.workspace)[0]["queued"] == expected(fleet)[0]


async def test_c_outside_the_hub_says_how_and_esc_leaves_the_prompt(tmp_path, hub):
    app = make_app(tmp_path / "ws", source="sample")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        # When I press c on the samples, it says how to get to the Hub
        await pilot.press("c")
        await pilot.pause()
        assert "press o until the source is Hub" in notices(app)[-1]
        # When on the Hub I give a bad limit, the prompt says so; Esc leaves without crawling
        await pilot.press("o", "o")
        await settle(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.query("#crawl-limit"))
        await pilot.press("ctrl+u", *"many", "enter")
        await pilot.pause()
        assert "'many' is not a number" in plain(app.screen.query_one("#crawl-error"))
        await pilot.press("escape")
        await settle(pilot, app)
        assert not app.screen.query("#crawl-limit")
        from dynotui.core.growth.log import CrawlLog

        assert stages(app.store.workspace) == [] and CrawlLog(app.store.workspace).read() == []
        assert not app.browse.query_one("#crawl-runner").running


async def test_a_hostile_search_shows_inert_in_the_prompt(tmp_path, hub):
    app = make_app(tmp_path / "ws", source="hub")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        # Given markup and an escape sequence in the search box
        app.browse.query_one("#search").value = "[@click=app.quit]x[/] \x1b]0;pwned\x07"
        # When I press c, the prompt shows them as text, not as markup or control codes
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.query("#crawl-what"))
        what = plain(app.screen.query_one("#crawl-what"))
        assert "[@click=app.quit]x[/]" in what and "\u241b]0;pwned\u2407" in what
        assert "\x1b" not in what
        await pilot.press("escape")
        assert app.is_running


async def test_the_palette_generates_for_the_crawl_queue(tmp_path, hub, fleet):
    from dynotui.core.growth.crawl import crawl
    from dynotui.core.store import Store
    from dynotui.config import load_settings

    # Given a crawl of 6 datasets, some queued
    settings = load_settings(workspace=tmp_path / "ws", annotator="alice")
    store = Store(settings.workspace, annotator="alice")
    report = crawl(store, settings, limit=6)
    store.close()
    queued = expected(fleet[:6])[0]
    assert report.queued == queued > 0
    with LLMServer() as llm:
        app = make_app(tmp_path / "ws", base_url=llm.base_url, source="hub")
        async with app.run_test(size=(110, 30)) as pilot:
            await settle(pilot, app)
            # When I run "Generate for the crawl queue" from the palette
            await palette(pilot, "Generate for the crawl queue")
            await wait_for(pilot, lambda: any("Crawl queue:" in n for n in notices(app)),
                           timeout=60)
            await wait_for(pilot, lambda: app.generation_cancel is None, timeout=60)
            await settle(pilot, app)
            # Then every queued dataset has proposals and the stage counts it generated
            datasets = {p.dataset for p in app.store.proposals()}
            assert len(datasets) == queued
            assert stages(app.store.workspace)[0]["generated"] == queued
            assert any(f"Crawl queue: {queued} datasets, {queued} now fully generated" in n
                       for n in notices(app))
            assert any(n.startswith("Generation done:") for n in notices(app))
            # And run again with nothing left, it asks the model nothing more
            calls = len(llm.chat_requests())
            told = len(notices(app))
            await palette(pilot, "Generate for the crawl queue")
            await wait_for(pilot, lambda: len(notices(app)) > told, timeout=30)
            await wait_for(pilot, lambda: app.generation_cancel is None, timeout=30)
            await settle(pilot, app)
            assert len(llm.chat_requests()) == calls
            assert notices(app)[-1].startswith("Nothing is waiting in the crawl queue")
