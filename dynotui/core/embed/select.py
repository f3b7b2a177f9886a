"""Diversity-aware selection: greedy farthest-point (k-center) on instruction embeddings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from dynotui.core.embed.vectors import embed_texts


def farthest_point(vectors: np.ndarray, k: int, seed: int = 0,
                   labels: np.ndarray | None = None, cap: int | None = None) -> list[int]:
    """Row indices: a seeded random start, then each time the row farthest (cosine) from all
    chosen so far. With `labels` and `cap`, at most `cap` rows per label are chosen."""
    n = len(vectors)
    k = min(k, n)
    if k <= 0:
        return []
    nearest = np.full(n, -np.inf, dtype=np.float32)  # best cosine to any chosen row
    blocked = np.zeros(n, dtype=bool)
    taken: dict[int, int] = {}
    chosen: list[int] = []
    pick = int(np.random.default_rng(seed).integers(n))
    while True:
        chosen.append(pick)
        blocked[pick] = True
        if labels is not None and cap:
            label = int(labels[pick])
            taken[label] = taken.get(label, 0) + 1
            if taken[label] >= cap:
                blocked |= labels == label
        if len(chosen) == k or blocked.all():
            return chosen
        np.maximum(nearest, vectors @ vectors[pick], out=nearest)
        pick = int(np.argmin(np.where(blocked, np.inf, nearest)))


def mean_pairwise_distance(vectors: np.ndarray) -> float:
    """Mean cosine distance (1 - cosine) over all distinct pairs of normalised rows."""
    n = len(vectors)
    if n < 2:
        return 0.0
    total = vectors.sum(axis=0)
    pair_sum = (float(total @ total) - float((vectors * vectors).sum())) / 2
    return 1.0 - pair_sum / (n * (n - 1) / 2)


def random_pick(n: int, k: int, seed: int = 0) -> list[int]:
    """The random baseline: k rows drawn with the same seed."""
    return sorted(np.random.default_rng(seed).choice(n, size=min(k, n), replace=False).tolist())


def _dataset_key(task: Any) -> str:
    return f"{task.dataset}/{task.config}" if getattr(task, "config", None) else task.dataset


def select_diverse(tasks: list[Any], k: int, seed: int = 0, *, max_per_dataset: int | None = None,
                   model: str | None = None, workspace: str | Path | None = None,
                   vectors: np.ndarray | None = None) -> list[Any]:
    """K tasks (Proposals) covering the instruction space; order of `tasks` kept.

    Vectors come from the workspace cache when `workspace` is given (only new instructions
    are embedded). max_per_dataset caps the picks per dataset config.
    """
    if k >= len(tasks) and not max_per_dataset:
        return list(tasks)
    if vectors is None:
        vectors, _ = embed_texts([t.task.instruction for t in tasks], model, workspace)
    labels = None
    if max_per_dataset:
        ids: dict[str, int] = {}
        labels = np.array([ids.setdefault(_dataset_key(t), len(ids)) for t in tasks])
    chosen = set(farthest_point(vectors, k, seed, labels, max_per_dataset))
    return [t for i, t in enumerate(tasks) if i in chosen]
