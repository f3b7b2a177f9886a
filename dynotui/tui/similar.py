"""Similar instructions for Review, from the core embeddings, when the reviewer turns them on.

Loading sentence-transformers takes seconds and hundreds of MB, so it is off until asked for
(key `s` or the palette); look-ups then run in thread workers and are cached per proposal.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from dynotui.core.models import Proposal
from dynotui.tui import render


class SimilarFound(Message):
    def __init__(self, pid: str, lines: list[str] | None, error: str = "") -> None:
        super().__init__()
        self.pid, self.lines, self.error = pid, lines, error


class SimilarLookup:
    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.on = False
        self.cache: dict[str, list[str]] = {}
        self._asked: set[str] = set()

    def toggle(self) -> None:
        from dynotui.core.embed import available

        if not self.on and not available():
            self.screen.notify("Similar instructions need the embeddings extra: "
                               "pip install 'dynotui[embeddings]'.", severity="warning",
                               markup=False, timeout=8)
            return
        self.on = not self.on
        self.cache.clear()
        self._asked.clear()
        if self.on:
            self.screen.notify("Loading the embedding model for similar instructions…",
                               markup=False, timeout=4)

    def lines_for(self, p: Proposal) -> list[str] | None:
        """Cached lines, else None (and a look-up starts in the background)."""
        if not self.on:
            return None
        if p.id in self.cache:
            return self.cache[p.id]
        if p.id not in self._asked:
            self._asked.add(p.id)
            app = self.screen.app
            self.screen.run_worker(lambda: self._look_up(app, p), thread=True,
                                   group="similar", exit_on_error=False)
        return ["looking up…"]

    def _look_up(self, app: Any, p: Proposal) -> None:
        from dynotui.core.embed import similar_lines

        try:
            lines = similar_lines(app.store, p, k=5, settings=app.settings)
        except Exception as exc:  # a DynoError says what to install or fix
            self.screen.post_message(SimilarFound(p.id, None, render.message(exc)))
            return
        self.screen.post_message(SimilarFound(p.id, lines))

    def found(self, message: SimilarFound) -> bool:
        """Store a result; True when it is worth re-rendering."""
        if message.error:
            self.on = False
            self.screen.notify(f"Similar instructions are off: {message.error}",
                               severity="error", markup=False, timeout=10)
            return True
        self.cache[message.pid] = message.lines or ["(no other instructions yet)"]
        return True
