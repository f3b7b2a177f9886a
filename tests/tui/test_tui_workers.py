"""Slow work stays in workers: decisions show as saving until durable, Esc cancels generation."""

from __future__ import annotations

import time

import pytest

from llmserver import LLMServer, hang
from tuikit import make_app, plain, seed_workspace, select_dataset, settle, wait_for


async def test_a_decision_shows_saving_until_the_store_has_it(tmp_path):
    # Given review on a seeded workspace
    props = seed_workspace(tmp_path / "ws")
    app = make_app(tmp_path / "ws", start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
        review = app.review
        # When I accept, the next proposal shows at once, the decision still marked as saving
        review.action_decide("accept")
        assert review.current.id == props[3].id
        assert app.pending[props[2].id] == 1
        assert "saving 1…" in review.query_one("#review-status")._text.plain
        # Then once the writer reports back, it is durable and shown as saved
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "accepted"
        assert not app.pending
        assert "saved ✓" in plain(review.query_one("#review-status")._text)


@pytest.fixture
def slow_llm():
    with LLMServer() as server:
        server.script(hang(20), hang(20))
        yield server


async def test_escape_cancels_a_running_generation(tmp_path, slow_llm):
    # Given a generation waiting on a slow model
    app = make_app(tmp_path / "ws", base_url=slow_llm.base_url)
    app.settings.llm.timeout = 60
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await select_dataset(pilot, app, "sst-mini")
        await pilot.press("g")
        await wait_for(pilot, lambda: len(slow_llm.chat_requests()) >= 1, timeout=20)
        assert app.screen.query_one("#generation").display
        # When I press Esc, it stops well before the model would have answered
        started = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.generation_cancel is None, timeout=15)
        assert time.monotonic() - started < 10
        # Then the progress line goes away, no proposals were stored, and the app goes on
        assert not app.screen.query_one("#generation").display
        assert app.store.proposals() == []
        assert app.is_running


async def test_unreachable_llm_is_one_clear_message(tmp_path):
    # Given an LLM address where nothing listens
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(tmp_path / "ws", base_url=f"http://127.0.0.1:{port}/v1")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await select_dataset(pilot, app, "sst-mini")
        # When I generate
        await pilot.press("g")
        await settle(pilot, app)
        # Then one error notification says what failed, and the app goes on
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "Generation failed" in errors[0].message
        assert app.is_running and app.generation_cancel is None


async def test_escape_cancels_a_running_export_and_writes_nothing(tmp_path):
    # Given an accepted task on a local dataset of 100k rows
    import json

    from dynotui.core.models import Proposal, Task
    from dynotui.core.sources import load_meta, parse_ref
    from dynotui.core.store import Store

    data = tmp_path / "big.jsonl"
    data.write_text("".join(json.dumps({"text": f"row {i} " * 8, "label": f"l{i % 3}"}) + "\n"
                            for i in range(100_000)))
    store = Store(tmp_path / "ws", annotator="alice")
    meta = load_meta(parse_ref(str(data)), rows=10)
    store.save_meta(meta)
    prop = Proposal(dataset=meta.ref.id, config=meta.ref.config,
                    task=Task("Label the row.", ["text"], "label"))
    store.add_proposals([prop])
    store.decide(prop.id, "accept")
    store.close()
    app = make_app(tmp_path / "ws", start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await pilot.pause()
        out = tmp_path / "out.jsonl"
        app.screen.query_one("#format").value = "jsonl"
        await pilot.pause()
        app.screen.query_one("#out").value = str(out)
        # When I start the export and press Esc
        app.screen.action_run()  # what ctrl+s does; pressing it waits for the app to go idle
        await pilot.press("escape")
        await settle(pilot, app)
        # Then it says it was cancelled, and no file was left behind
        await wait_for(pilot, lambda: "Cancelled" in plain(app.screen.query_one("#export-result")))
        assert not out.exists()
