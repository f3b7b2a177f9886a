"""Messages that workers post back to the UI thread (workers never touch widgets)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from dynotui.core.models import DatasetMeta


class Saved(Message):
    """A store write finished (or failed): the decision is durable only now."""

    def __init__(self, job: Any, result: Any, error: BaseException | None) -> None:
        super().__init__()
        self.job, self.result, self.error = job, result, error


class QueueLoaded(Message):
    def __init__(self, queue: Any, focus: str | None = None) -> None:
        super().__init__()
        self.queue, self.focus = queue, focus


class MetaLoaded(Message):
    def __init__(self, key: str, meta: DatasetMeta | None, error: str = "") -> None:
        super().__init__()
        self.key, self.meta, self.error = key, meta, error


class GenerationProgress(Message):
    """Latest generation state; only the newest matters, so queued ones coalesce."""

    def __init__(self, done: int, total: int, tokens: int, cost: float, label: str = "") -> None:
        super().__init__()
        self.done, self.total, self.tokens, self.cost, self.label = done, total, tokens, cost, label

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, GenerationProgress)


class GenerationDone(Message):
    def __init__(self, datasets: list[str], report: Any, error: str = "") -> None:
        super().__init__()
        self.datasets, self.report, self.error = datasets, report, error


class StoreOpened(Message):
    """The workspace store opened in a worker (after the annotator named themselves)."""

    def __init__(self, store: Any, error: str = "") -> None:
        super().__init__()
        self.store, self.error = store, error


class CrawlShown(Message):
    """A running crawl's progress for Browse's progress line; label None: the crawl ended."""

    def __init__(self, seen: int = 0, limit: int = 0, label: Any = None) -> None:
        super().__init__()
        self.seen, self.limit, self.label = seen, limit, label
