"""Near-duplicate groups: cosine >= threshold, joined transitively (union-find).

Vectors are L2-normalised, so cosine is a dot product; pairs are found block by block over
the upper triangle, so memory stays at one block x n scores.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SCORES_PER_BLOCK = 8_000_000  # 32 MB of float32 scores per block, whatever n is


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps trees flat
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Sets of two or more members, each sorted, largest first."""
        sets: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            sets.setdefault(self.find(i), []).append(i)
        return sorted((g for g in sets.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def close_pairs(vectors: np.ndarray, threshold: float, block: int | None = None):
    """Yield (i, j) with i < j and vectors[i] . vectors[j] >= threshold."""
    n = len(vectors)
    block = block or max(16, SCORES_PER_BLOCK // max(n, 1))
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = vectors[start:stop] @ vectors[start:].T  # columns from `start`: upper triangle only
        rows, cols = np.nonzero(scores >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist()):
            i, j = start + r, start + c
            if i < j:
                yield i, j


def near_groups(vectors: np.ndarray, threshold: float, same: list[Any] | None = None,
                block: int | None = None) -> list[list[int]]:
    """Row groups whose members are near-duplicates (directly or through a chain).

    `same`: optional key per row; rows with equal keys (identical texts) are always grouped,
    whatever float rounding does to their score.
    """
    uf = UnionFind(len(vectors))
    if same is not None:
        first: dict[Any, int] = {}
        for i, key in enumerate(same):
            uf.union(first.setdefault(key, i), i)
    for i, j in close_pairs(np.ascontiguousarray(vectors, dtype=np.float32), threshold, block):
        uf.union(i, j)
    return uf.groups()


@dataclass
class NearGroups:
    """Near-duplicate groups of proposals (ids), largest first."""

    threshold: float
    model: str
    total: int = 0  # proposals considered
    groups: list[list[str]] = field(default_factory=list)
    _index: dict[str, int] | None = field(default=None, repr=False)

    def group_of(self, pid: str) -> int | None:
        """Index of the group holding `pid`, or None when it has no near-duplicate."""
        if self._index is None:
            self._index = {pid: n for n, g in enumerate(self.groups) for pid in g}
        return self._index.get(pid)

    def members(self, pid: str) -> list[str]:
        """The other proposals in `pid`'s group."""
        n = self.group_of(pid)
        return [] if n is None else [m for m in self.groups[n] if m != pid]

    def stats(self, largest: int = 5) -> dict[str, Any]:
        sizes = [len(g) for g in self.groups]
        return {"threshold": self.threshold, "model": self.model, "proposals": sum(sizes),
                "groups": len(sizes), "of": self.total,
                "sizes": {str(k): v for k, v in sorted(Counter(sizes).items())},
                "largest": sizes[:largest]}

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "model": self.model, "total": self.total,
                "groups": self.groups}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NearGroups:
        return cls(float(data["threshold"]), str(data["model"]), int(data.get("total", 0)),
                   [list(map(str, g)) for g in data["groups"]])
