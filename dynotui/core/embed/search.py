"""The instructions in a workspace most similar to a text, with their dataset and status.

Slow the first time (model import and load, embedding what is not cached): call it from a
worker thread, never the UI thread. An index per (workspace, model) is kept per process and
embeds only proposals added since the last call.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from dynotui.core.embed.model import model_label
from dynotui.core.embed.vectors import embed_texts
from dynotui.core.embed.workspace import live_proposals, settings_model, settings_threshold
from dynotui.core.models import Proposal


@dataclass
class Similar:
    id: str
    instruction: str
    dataset: str  # DatasetRef.key (id/config)
    status: str
    score: float  # cosine

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _dataset_key(p: Proposal) -> str:
    return f"{p.dataset}/{p.config}" if p.config else p.dataset


class SimilarIndex:
    """Vectors of a workspace's live proposals, refreshed on demand."""

    def __init__(self, store: Any, model: str | None = None) -> None:
        self.store = store
        self.model = model
        self.props: list[Proposal] = []
        self.statuses: dict[str, str] = {}
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self._row: dict[str, int] = {}
        self._lock = threading.Lock()

    def refresh(self) -> int:
        """Pick up proposals and statuses changed since the last call; returns how many were new."""
        props, statuses = live_proposals(self.store)
        new = [p for p in props if p.id not in self._row]
        if new or len(props) != len(self.props):
            fresh, _ = embed_texts([p.task.instruction for p in new], self.model,
                                   self.store.workspace)
            old = {p.id: self.vectors[self._row[p.id]] for p in props if p.id in self._row}
            old.update((p.id, v) for p, v in zip(new, fresh))
            dim = len(next(iter(old.values()))) if old else 0
            self.vectors = (np.stack([old[p.id] for p in props]) if props
                            else np.zeros((0, dim), dtype=np.float32))
            self.props = props
            self._row = {p.id: i for i, p in enumerate(props)}
        self.statuses = statuses
        return len(new)

    def search(self, text: str, k: int = 5, exclude: Iterable[str] = ()) -> list[Similar]:
        """The k live proposals closest to `text` (excluding ids in `exclude`), best first."""
        with self._lock:
            self.refresh()
            if not self.props or k <= 0:
                return []
            query = self._vector(text)
            scores = self.vectors @ query
            skip = set(exclude)
            want = min(len(scores), k + len(skip))
            top = np.argpartition(-scores, want - 1)[:want]
            order = top[np.argsort(-scores[top], kind="stable")]
            hits: list[Similar] = []
            for i in order.tolist():
                p = self.props[i]
                if p.id in skip:
                    continue
                hits.append(Similar(p.id, p.task.instruction, _dataset_key(p),
                                    self.statuses.get(p.id, "undecided"), round(float(scores[i]), 4)))
                if len(hits) == k:
                    break
            return hits

    def _vector(self, text: str) -> np.ndarray:
        # a stored instruction is found in the cache; other text is embedded (and cached)
        vectors, _ = embed_texts([text], self.model, self.store.workspace)
        return vectors[0]


_indexes: dict[tuple[str, str], SimilarIndex] = {}
_indexes_lock = threading.Lock()


def index_for(store: Any, model: str | None = None) -> SimilarIndex:
    key = (str(Path(store.workspace).resolve()), model_label(model))
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None or index.store is not store:
            index = _indexes[key] = SimilarIndex(store, model)
        return index


def similar(store: Any, text: str, k: int = 5, settings: Any = None, model: str | None = None,
            exclude: Iterable[str] = ()) -> list[Similar]:
    """The k instructions in the workspace most similar to `text`, with dataset and status."""
    return index_for(store, settings_model(settings, model)).search(text, k, exclude)


def accepted_twin(hits: list[Similar], threshold: float) -> Similar | None:
    """The most similar accepted task at or above the near-duplicate threshold, if any."""
    return next((h for h in hits if h.status == "accepted" and h.score >= threshold), None)


def near_duplicate_warning(hits: list[Similar], threshold: float | None = None,
                           settings: Any = None) -> str | None:
    """A one-line warning when a hit is an accepted task at cosine >= threshold (plain text)."""
    twin = accepted_twin(hits, settings_threshold(settings, threshold))
    if twin is None:
        return None
    return (f"Near-duplicate (cosine {twin.score:.2f}) of accepted task {twin.id[:8]} "
            f"on {twin.dataset}: {twin.instruction[:120]}")


def similar_for(store: Any, proposal: Proposal, k: int = 5, settings: Any = None
                ) -> tuple[list[Similar], str | None]:
    """For Review: the k most similar other instructions and the near-duplicate warning."""
    hits = similar(store, proposal.task.instruction, k, settings,
                   exclude=[proposal.id, *([proposal.parent] if proposal.parent else [])])
    return hits, near_duplicate_warning(hits, settings=settings)


def describe(hit: Similar) -> str:
    """One plain-text line for a hit (render it without markup: the instruction is untrusted)."""
    return f"{hit.score:.2f}  {hit.status:<9} {hit.dataset}: {hit.instruction}"


def similar_lines(store: Any, proposal: Proposal, k: int = 5, settings: Any = None) -> list[str]:
    """For the Review pane, from a worker thread: the warning (if any) then one line per hit."""
    hits, warning = similar_for(store, proposal, k, settings)
    return ([f"⚠ {warning}"] if warning else []) + [describe(h) for h in hits]


def warm_up(store: Any, settings: Any = None) -> int:
    """Load the model and embed every stored instruction not cached yet (call from a worker
    when Review opens, so later look-ups answer in milliseconds); returns how many were new."""
    index = index_for(store, settings_model(settings))
    with index._lock:
        return index.refresh()
