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
    return DynoApp(settings, store, source=source, start=start)


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


def plain(widget) -> str:
    """What a Static shows, as plain text."""
    content = widget.visual if hasattr(widget, "visual") else widget.render()
    return getattr(content, "plain", str(content))


async def select_dataset(pilot, app, name: str) -> None:
    table = app.screen.query_one("#datasets")
    await wait_for(pilot, lambda: any(e.name == name for e in table.entries))
    index = next(i for i, e in enumerate(table.entries) if e.name == name)
    table.move_cursor(row=index)
    await pilot.pause()
