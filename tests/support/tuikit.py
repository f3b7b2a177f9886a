"""Helpers for the workbench tests: an app on a fresh workspace, waiting for its work to land."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from dynotui.config import load_settings
from dynotui.core.store import Store


def make_app(workspace: Path, base_url: str | None = None, start: str | None = None,
             annotator: str = "alice", source: str = "sample", **overrides):
    from dynotui.tui.app import DynoApp

    settings = load_settings(workspace=workspace, annotator=annotator)
    if base_url:
        settings.llm.base_url, settings.llm.api_key, settings.llm.model = base_url, "x", "test-model"
        settings.llm.retries = 0
    for key, value in overrides.items():
        setattr(settings, key, value)
    store = Store(settings.workspace, annotator=annotator)
    app = DynoApp(settings, store, source=source, start=start)
    return keep_notices(app)


def keep_notices(app):
    """app.said: every toast's text in order (toasts expire; under load before a test looks)."""
    app.said = []
    notify = app.notify

    def said(message, *args, **kwargs):
        app.said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = said
    return app


async def settle(pilot, app, timeout: float = 30.0) -> None:
    """Until workers are done, the store writer is drained and messages are handled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        await app.workers.wait_for_complete()
        if (app.writer is None or app.writer.pending == 0) and app.generation_cancel is None:
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if app.writer is None or app.writer.pending == 0:
                return
        await asyncio.sleep(0.02)
    raise TimeoutError("the app did not settle")


async def wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await pilot.pause(0.02)


async def open_review(pilot, app):
    """Wait until Review shows a proposal; returns the Review screen."""
    await settle(pilot, app)
    await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
    return app.review


def plain(widget) -> str:
    """What a Static or TextPane shows, as plain text."""
    if hasattr(widget, "plain"):
        return widget.plain
    content = widget.visual if hasattr(widget, "visual") else widget.render()
    return getattr(content, "plain", str(content))


async def select_dataset(pilot, app, name: str) -> None:
    table = app.screen.query_one("#datasets")
    await wait_for(pilot, lambda: any(e.name == name for e in table.entries))
    index = next(i for i, e in enumerate(table.entries) if e.name == name)
    table.move_cursor(row=index)
    await pilot.pause()


def add_proposals(workspace: Path, *proposals, accept: bool = False) -> None:
    """Store `proposals` as alice's (accepted when `accept`), through a Store of its own."""
    store = Store(workspace, annotator="alice")
    store.add_proposals(list(proposals))
    if accept:
        for p in proposals:
            store.decide(p.id, "accept")
    store.close()


def seed_workspace(workspace: Path, annotator: str = "alice") -> list:
    """Fixed proposals on two bundled samples, one accepted and one rejected (for snapshots)."""
    from dynotui.core.models import Proposal, Task
    from dynotui.core.sources import load_meta, parse_ref

    store = Store(workspace, annotator=annotator)
    tasks = {
        "sample:sst-mini": [
            Task("Decide whether the review is positive or negative.", ["text"], "label"),
            Task("Is this movie review positive or negative? Answer with the label.", ["text"],
                 "label"),
            Task("Write the text of a review with the given sentiment.", ["label"], "text")],
        "sample:local-news-summaries": [
            Task("Summarise the local news story in one sentence.", ["document"], "summary"),
            Task("Write a short news story that this summary describes.", ["summary"],
                 "document")]}
    props = []
    for n, (dataset, items) in enumerate(tasks.items()):
        meta = load_meta(parse_ref(dataset), rows=20)
        store.save_meta(meta)
        for i, task in enumerate(items):
            props.append(Proposal(dataset=dataset, task=task, config=meta.ref.config,
                                  variant="aware" if i % 2 == 0 else "unaware",
                                  model="test-model", created=1_700_000_000 + n * 10 + i,
                                  tokens_in=420, tokens_out=96))
    store.add_proposals(props)
    store.decide(props[0].id, "accept")
    store.decide(props[1].id, "reject", reason="vague instruction")
    store.close()
    return props


async def wait_detail(pilot, app, dataset_id: str) -> str:
    """Until the Browse panel shows `dataset_id`'s metadata; returns the panel's text."""
    detail = app.screen.query_one("#detail")
    await wait_for(pilot, lambda: dataset_id in plain(detail) and "Features" in plain(detail))
    return plain(detail)
