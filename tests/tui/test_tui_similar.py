"""Similar instructions in Review: the first embedding runs in a worker process, with progress
on screen and Esc to cancel it (the process is killed, the cache keeps only whole shards)."""

from __future__ import annotations

import itertools
import os
import re

import numpy as np
import pytest

from tuikit import make_app, plain, seed_workspace, settle, wait_for

pytestmark = [pytest.mark.embeddings, pytest.mark.timeout(600)]

VERBS = ["Classify", "Summarise", "Translate", "Rewrite", "Answer", "Explain", "Shorten", "Label"]
THINGS = ["the review", "the news story", "the question", "the tweet", "the recipe",
          "the product title", "the legal clause", "the poem", "the email", "the headline"]
HOW = ["in one sentence", "for a child", "as a list", "politely", "in French", "with a label",
       "in under ten words", "formally", "with a reason", "as JSON"]


@pytest.fixture
def big_workspace(tmp_path):
    from dynotui.core.embed import available
    from dynotui.core.models import Proposal, Task
    from dynotui.core.store import Store

    if not available():
        pytest.skip("sentence-transformers is not installed")
    path = tmp_path / "ws"
    props = seed_workspace(path)
    store = Store(path, annotator="alice")
    texts = [f"{v} {t} {h} (case {n})." for n, (v, t, h)
             in enumerate(itertools.product(VERBS, THINGS, HOW * 3))]
    store.add_proposals([Proposal(dataset="sample:sst-mini", task=Task(text, ["text"], "label"))
                         for text in texts])
    store.close()
    return path, props, len(texts) + len(props)


def shards(path) -> list:
    folder = path / "embeddings" / "all-MiniLM-L6-v2"
    return sorted(folder.glob("shard-*.npz")) if folder.is_dir() else []


async def test_first_embedding_shows_progress_and_esc_kills_the_worker(big_workspace):
    # Given review on a workspace of 2,405 instructions, none embedded yet
    path, props, total = big_workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
        review = app.review
        pane = review.query_one("#proposal")
        # When I turn similar instructions on
        await pilot.press("s")
        # Then the embedding runs in another process and its progress (n/total) is on screen
        await wait_for(pilot, lambda: "/2405 instructions" in plain(pane)
                       and not plain(pane).count(" 0/2405"), timeout=300)
        assert "Esc cancels" in plain(pane)
        job = review.similar.job
        assert job.proc is not None and job.proc.pid != os.getpid() and job.proc.poll() is None
        # And the app answers keys meanwhile: n moves to the next proposal at once
        before = review.current.id
        await pilot.press("n")
        assert review.current.id != before
        # When I press Esc
        await pilot.press("escape")
        await settle(pilot, app)
        # Then the worker process is gone, the pane no longer shows similar instructions
        assert job.proc.wait(timeout=10) != 0
        assert review.similar.job is None and not review.similar.on
        assert "embedding" not in plain(pane)
        # And the cache holds only whole shards: each readable, fewer vectors than texts
        kept = 0
        for shard in shards(path):
            with np.load(shard) as data:
                assert data["vectors"].shape == (len(data["keys"]), 384)
                kept += len(data["keys"])
        assert kept < total


async def test_second_time_on_only_the_missing_texts_are_embedded(big_workspace):
    # Given every instruction already embedded once
    path, props, total = big_workspace
    from dynotui.core.embed import embed_texts
    from dynotui.core.embed.workspace import live_proposals
    from dynotui.core.store import Store

    store = Store(path, annotator="alice")
    live, _ = live_proposals(store)
    embed_texts([p.task.instruction for p in live], None, path)
    store.close()
    count = len(shards(path))
    app = make_app(path, start="review")
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
        pane = app.review.query_one("#proposal")
        # When I turn similar instructions on, no worker is started and look-ups answer
        await pilot.press("s")
        await wait_for(pilot, lambda: "Similar instructions" in plain(pane)
                       and "looking up" not in plain(pane) and "embedding" not in plain(pane),
                       timeout=120)
        assert app.review.similar.job is None
        assert len(re.findall(r"• [01]\.\d\d  (?:undecided|accepted|rejected) ", plain(pane))) == 5
        await settle(pilot, app)
    assert len(shards(path)) == count
