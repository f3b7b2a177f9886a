"""Similar instructions for Review, from the core embeddings, when the reviewer turns them on.

Off until asked for (key `s` or the palette). Turning it on first embeds the instructions not
cached yet in a worker process (core/embed/job.py), so the app stays responsive: the proposal
pane shows its progress and Esc kills it (the cache keeps only whole shards). Look-ups then run
in thread workers, from the cache, and are kept per proposal.
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


class EmbedProgress(Message):
    """The first embedding's progress (done of total); only the newest matters."""

    def __init__(self, job: Any, done: int, total: int) -> None:
        super().__init__()
        self.job, self.done, self.total = job, done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EmbedProgress)


class EmbedFinished(Message):
    def __init__(self, job: Any, error: str = "", cancelled: bool = False) -> None:
        super().__init__()
        self.job, self.error, self.cancelled = job, error, cancelled


class SimilarLookup:
    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.on = False
        self.cache: dict[str, list[str]] = {}
        self._asked: set[str] = set()
        self.job: Any = None  # the EmbedJob while the first embedding runs
        self.progress: tuple[int, int] | None = None

    @property
    def embedding(self) -> bool:
        return self.job is not None

    # The embedding modules below are deferred for start-up time: Review loads this module,
    # and they bring numpy (~0.13 s).
    def toggle(self) -> None:
        from dynotui.core.embed import available  # deferred: numpy

        if not self.on and not available():
            self.screen.notify("Similar instructions need the embeddings extra: "
                               "pip install 'dynotui[embeddings]'.", severity="warning",
                               markup=False, timeout=8)
            return
        if self.on:
            self.cancel(quiet=True)
        self.on = not self.on
        self.cache.clear()
        self._asked.clear()
        if self.on:
            from dynotui.core.embed.job import EmbedJob  # deferred: numpy
            from dynotui.core.embed.workspace import settings_model  # deferred: numpy

            app = self.screen.app
            self.progress = None
            job = self.job = EmbedJob(app.store.workspace, settings_model(app.settings), [])
            self.screen.run_worker(lambda: self._embed(app, job), thread=True,
                                   group="similar-embed", exit_on_error=False)

    def _embed(self, app: Any, job: Any) -> None:
        """Thread worker: embed what is not cached in a worker process, posting progress."""
        from dynotui.core.embed.job import Cancelled, missing_texts  # deferred: numpy
        from dynotui.core.embed.workspace import live_proposals  # deferred: numpy

        post = self.screen.post_message
        try:
            props, _ = live_proposals(app.store)
            job.texts = missing_texts(job.workspace, job.model, [p.task.instruction for p in props])
            if job.texts:
                post(EmbedProgress(job, 0, len(job.texts)))
                job.run(lambda done, total: post(EmbedProgress(job, done, total)))
        except Cancelled:
            post(EmbedFinished(job, cancelled=True))
            return
        except Exception as exc:  # a DynoError says what to install or fix
            post(EmbedFinished(job, render.message(exc)))
            return
        post(EmbedFinished(job))

    def cancel(self, quiet: bool = False) -> bool:
        """Esc: kill the first embedding; True when one was running."""
        job, self.job = self.job, None
        if job is None:
            return False
        job.cancel()
        self.on = False
        if not quiet:
            self.screen.notify("Embedding cancelled; similar instructions are off (s starts "
                               "again, keeping what was done).", markup=False, timeout=6)
        return True

    def embed_progress(self, message: EmbedProgress) -> bool:
        if message.job is not self.job:
            return False  # a cancelled job's last words
        self.progress = (message.done, message.total)
        return True

    def embed_finished(self, message: EmbedFinished) -> bool:
        """The first embedding ended; True when worth re-rendering."""
        if message.job is not self.job:
            return False
        self.job = None
        if message.error:
            self.on = False
            self.screen.notify(f"Similar instructions are off: {message.error}",
                               severity="error", markup=False, timeout=10)
        return True

    def lines_for(self, p: Proposal) -> list[str] | None:
        """Cached lines, else None (and a look-up starts in the background)."""
        if not self.on:
            return None
        if self.embedding:
            done, total = self.progress or (0, 0)
            count = f"{done}/{total} " if total else ""
            return [f"embedding {count}instructions in a worker process… (Esc cancels)"]
        if p.id in self.cache:
            return self.cache[p.id]
        if p.id not in self._asked:
            self._asked.add(p.id)
            app = self.screen.app
            self.screen.run_worker(lambda: self._look_up(app, p), thread=True,
                                   group="similar", exit_on_error=False)
        return ["looking up…"]

    def _look_up(self, app: Any, p: Proposal) -> None:
        from dynotui.core.embed import similar_lines  # deferred: numpy

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
