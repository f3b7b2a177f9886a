"""A person's whole journey in the workbench, on the bundled samples and a loopback LLM:
browse -> generate -> accept, reject with a reason, edit, undo -> export."""

from __future__ import annotations

import json

import pytest

from dynotui.tui.messages import GenerationProgress
from llmserver import LLMServer
from tuikit import make_app, plain, select_dataset, settle, wait_detail, wait_for

DATASET = "sample:local-news-summaries"


@pytest.fixture
def llm():
    with LLMServer() as server:
        yield server


async def test_browse_generate_review_edit_undo_export(tmp_path, llm):
    # Given a fresh workspace and an LLM server
    app = make_app(tmp_path / "ws", base_url=llm.base_url)
    messages = []
    async with app.run_test(size=(100, 30), message_hook=messages.append) as pilot:
        await settle(pilot, app)
        # When I pick a bundled dataset in Browse, its panel shows the card and the features
        await select_dataset(pilot, app, "local-news-summaries")
        detail = await wait_detail(pilot, app, DATASET)
        assert "apache-2.0" in detail and "summary" in detail and "First 3 rows" in detail

        # And press g, proposals are generated in the background and stored
        await pilot.press("g")
        await settle(pilot, app)
        proposals = app.store.proposals(DATASET)
        assert proposals, "generation stored no proposals"
        assert llm.chat_requests()
        # with progress and a running token count along the way
        progress = [m for m in messages if isinstance(m, GenerationProgress)]
        assert progress and progress[-1].done == progress[-1].total == 2
        assert progress[-1].tokens > 0

        # When I go to Review, the first undecided proposal is on screen with sample rows
        await pilot.press("f3")
        await settle(pilot, app)
        review = app.review
        await wait_for(pilot, lambda: review.queue is not None and review.current is not None)
        first = review.current
        assert first.task.instruction in plain(app.screen.query_one("#proposal"))
        await wait_for(pilot, lambda: "Row 1" in plain(app.screen.query_one("#samples")))

        # And accept it, it is durable in the store and the next one is shown
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(first.id) == "accepted"
        assert review.current.id != first.id
        assert "saved ✓" in plain(app.screen.query_one("#review-status"))

        # And reject the next with reason 2, the reason is recorded
        second = review.current
        await pilot.press("2")
        await settle(pilot, app)
        assert app.store.status(second.id) == "rejected"
        event = app.store.events(second.id)[-1]
        assert event.reason == app.settings.reject_reasons[1]

        # And edit the third, a new version is stored and accepted
        third = review.current
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("#instruction")
        area.text = "Summarise the news story in one sentence."
        await pilot.pause(0.2)
        assert "Row 1" in plain(app.screen.query_one("#edit-samples"))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.store.status(third.id) == "edited"
        new = [p for p in app.store.proposals(DATASET) if p.parent == third.id]
        assert len(new) == 1 and app.store.status(new[0].id) == "accepted"

        # And undo, the edit is gone and the third proposal is undecided again
        await pilot.press("backspace")
        await settle(pilot, app)
        assert app.store.status(third.id) == "undecided"
        assert app.store.status(new[0].id) != "accepted"
        await wait_for(pilot, lambda: review.current is not None and review.current.id == third.id)

        # When I export from the Export screen, the accepted task's rows are in the file
        await pilot.press("f4")
        await pilot.pause()
        out = tmp_path / "out.jsonl"
        app.screen.query_one("#format").value = "jsonl"
        await pilot.pause()
        app.screen.query_one("#out").value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await wait_for(pilot, lambda: "Done." in plain(app.screen.query_one("#export-result")))
        assert str(out) in plain(app.screen.query_one("#export-result"))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and {r["instruction"] for r in rows} == {first.task.instruction}
    assert all(r["output"] for r in rows)


async def test_reopening_resumes_at_first_undecided(tmp_path, llm):
    # Given a workspace where the first proposal was accepted in an earlier session
    app = make_app(tmp_path / "ws", base_url=llm.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await select_dataset(pilot, app, "sst-mini")
        await pilot.press("g")
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review.current is not None)
        decided = app.review.current.id
        await pilot.press("a")
        await settle(pilot, app)
    app.store.close()
    # When the workbench is opened again on it
    again = make_app(tmp_path / "ws", start="review")
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot, again)
        await wait_for(pilot, lambda: again.review is not None and again.review.current is not None)
        # Then it shows the first proposal not yet decided
        assert again.review.current.id != decided
        assert again.store.status(again.review.current.id) == "undecided"
