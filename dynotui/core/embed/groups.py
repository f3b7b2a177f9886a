"""Near-duplicate groups: every member within the threshold of its group's centre (no chains).

Vectors are L2-normalised, so cosine is a dot product. Close pairs are found exactly but cheaply:
scores are first bounded in a small orthonormal basis (see `close_pairs`), and only the pairs the
bound cannot rule out are scored in full. Groups are then formed around centres, most-connected
first; a member joins a centre it is itself close to, so A~B and B~C never put A with C.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

SCORES_PER_BLOCK = 8_000_000  # 32 MB of float32 scores per block, whatever n is
BASIS = 48  # dimensions of the bounding basis
PLAIN_BELOW = 3_000  # fewer rows: score every pair, the basis costs more than it saves


def _basis(vectors: np.ndarray, k: int) -> np.ndarray:
    """k orthonormal directions carrying most of the vectors' energy (from a sample)."""
    step = max(1, len(vectors) // 4_000)
    _, _, vt = np.linalg.svd(vectors[::step], full_matrices=False)
    return np.ascontiguousarray(vt[:k].T)


def close_pairs(vectors: np.ndarray, threshold: float, block: int | None = None):
    """Yield (i, j, score) with i < j and vectors[i] . vectors[j] >= threshold, exactly.

    With Q an orthonormal basis, a = Qp_a + r_a, so a . b = p_a . p_b + r_a . r_b
    <= p_a . p_b + |r_a| |r_b|: pairs whose bound is below the threshold cannot qualify.
    """
    n = len(vectors)
    block = block or max(16, SCORES_PER_BLOCK // max(n, 1))
    if n < PLAIN_BELOW or vectors.shape[1] <= BASIS * 2:
        for start in range(0, n, block):
            stop = min(n, start + block)
            scores = vectors[start:stop] @ vectors[start:].T  # upper triangle only
            rows, cols = np.nonzero(scores >= threshold)
            keep = start + rows < start + cols
            for r, c in zip(rows[keep].tolist(), cols[keep].tolist()):
                yield start + r, start + c, float(scores[r, c])
        return
    proj = vectors @ _basis(vectors, BASIS)
    rest = np.sqrt(np.clip((vectors * vectors).sum(1) - (proj * proj).sum(1), 0, None))
    slack = np.float32(1e-4)  # float rounding must never drop a true pair
    for start in range(0, n, block):
        stop = min(n, start + block)
        bound = proj[start:stop] @ proj[start:].T
        bound += np.outer(rest[start:stop], rest[start:])
        rows, cols = np.nonzero(bound >= threshold - slack)
        keep = rows < cols
        i, j = rows[keep] + start, cols[keep] + start
        if not len(i):
            continue
        exact = np.einsum("ij,ij->i", vectors[i], vectors[j])
        hit = exact >= threshold
        for a, b, s in zip(i[hit].tolist(), j[hit].tolist(), exact[hit].tolist()):
            yield a, b, s


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
