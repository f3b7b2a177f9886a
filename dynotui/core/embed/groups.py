"""Near-duplicate groups: every member within the threshold of its group's centre (no chains).

Vectors are L2-normalised, so cosine is a dot product. Identical texts are scored once. Groups
form around centres, most-connected first; a member joins a centre it is itself close to, so
A~B and B~C no longer chain A, B and C into one group as union-find did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

SCORES_PER_BLOCK = 8_000_000  # 32 MB of float32 scores per block, whatever n is


def close_pairs(vectors: np.ndarray, threshold: float, block: int | None = None):
    """Yield (i, j, score) with i < j and vectors[i] . vectors[j] >= threshold.

    Block by block over the upper triangle, so memory stays at one block x n scores. (A bound
    through a 48-d basis was tried: on MiniLM vectors it ruled out too few pairs and ran 6x
    slower; bench/near_groups.py compares.)
    """
    n = len(vectors)
    block = block or max(16, SCORES_PER_BLOCK // max(n, 1))
    for start in range(0, n, block):
        stop = min(n, start + block)
        scores = vectors[start:stop] @ vectors[start:].T  # columns from `start`: upper triangle
        rows, cols = np.nonzero(scores >= threshold)
        keep = rows < cols
        for r, c in zip(rows[keep].tolist(), cols[keep].tolist()):
            yield start + r, start + c, float(scores[r, c])


def near_groups(vectors: np.ndarray, threshold: float, same: list[Any] | None = None,
                block: int | None = None, apart: Callable[[int, int], bool] | None = None,
                ) -> list[list[int]]:
    """Row groups, centre first, largest first; each member's cosine to the centre >= threshold.

    `same`: optional key per row; rows with equal keys (identical texts) always share a group.
    `apart(i, j)`: rows that must not be grouped although close (e.g. direction-swapped tasks).
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    twins: dict[int, list[int]] = {}  # representative -> rows with the same key
    if same is not None:
        first: dict[Any, int] = {}
        for i, key in enumerate(same):
            twins.setdefault(first.setdefault(key, i), []).append(i)
    else:
        twins = {i: [i] for i in range(n)}
    reps = sorted(twins)
    neighbours: dict[int, list[int]] = {r: [] for r in reps}
    for a, b, _ in close_pairs(vectors[reps], threshold, block):
        ra, rb = reps[a], reps[b]
        if apart is None or not apart(ra, rb):
            neighbours[ra].append(rb)
            neighbours[rb].append(ra)
    weight = {r: len(twins[r]) + sum(len(twins[m]) for m in neighbours[r]) for r in reps}
    taken: set[int] = set()
    groups: list[list[int]] = []
    for centre in sorted(reps, key=lambda r: (-weight[r], r)):
        if centre in taken:
            continue
        taken.add(centre)
        members = [m for m in sorted(neighbours[centre]) if m not in taken]
        taken.update(members)
        rows = twins[centre] + [row for m in members for row in twins[m]]
        if len(rows) > 1:
            groups.append(rows)
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def spread(vectors: np.ndarray, group: list[int]) -> float:
    """The lowest cosine between a group's centre (its first row) and a member."""
    v = np.asarray(vectors, dtype=np.float32)
    return float(min(v[group[1:]] @ v[group[0]])) if len(group) > 1 else 1.0


@dataclass
class NearGroups:
    """Near-duplicate groups of proposals (ids, centre first), largest first."""

    threshold: float
    model: str
    total: int = 0  # proposals considered
    groups: list[list[str]] = field(default_factory=list)
    spreads: list[float] = field(default_factory=list)  # lowest cosine to the centre, per group
    distinct: list[int] = field(default_factory=list)  # distinct instruction texts, per group
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
        top = None
        if self.groups:
            top = {"size": sizes[0], "centre": self.groups[0][0],
                   "spread": self.spreads[0] if self.spreads else None,
                   "distinct": self.distinct[0] if self.distinct else None}
        return {"threshold": self.threshold, "model": self.model, "proposals": sum(sizes),
                "groups": len(sizes), "of": self.total,
                "sizes": {str(k): v for k, v in sorted(Counter(sizes).items())},
                "largest": sizes[:largest], "largest_group": top}

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "model": self.model, "total": self.total,
                "groups": self.groups, "spreads": self.spreads, "distinct": self.distinct}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NearGroups:
        return cls(float(data["threshold"]), str(data["model"]), int(data.get("total", 0)),
                   [list(map(str, g)) for g in data["groups"]],
                   [float(s) for s in data.get("spreads", [])],
                   [int(d) for d in data.get("distinct", [])])
