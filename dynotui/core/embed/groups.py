"""Near-duplicate groups: every member within the threshold of its group's centre (no chains).

Vectors are L2-normalised, so cosine is a dot product. Identical texts are scored once. Groups
form around centres, most-connected first; a member joins a centre it is itself close to, so
A~B and B~C no longer chain A, B and C into one group as union-find did. The close pairs come
from pairs.py, which finds exactly the pairs all-pairs scoring finds without scoring them all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from dynotui.core.embed.pairs import close_pair_arrays


def near_groups(vectors: np.ndarray, threshold: float, same: list[Any] | None = None,
                block: int | None = None,
                apart: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                clustered: bool | None = None) -> list[list[int]]:
    """Row groups, centre first, largest first; each member's cosine to the centre >= threshold.

    `same`: optional key per row; rows with equal keys (identical texts) always share a group.
    `apart(i, j)`: given arrays of close row pairs, True where the two must not be grouped
    although close (e.g. direction-swapped tasks); called once, with every close pair.
    `clustered`: how close pairs are found (pairs.py; None picks by size, same pairs either way).
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if same is not None:
        first: dict[Any, int] = {}
        rep_of = np.array([first.setdefault(key, i) for i, key in enumerate(same)], np.int64)
    else:
        rep_of = np.arange(n)
    reps = np.unique(rep_of)  # one row per distinct key, in row order
    at = np.searchsorted(reps, rep_of)  # each row's representative, as an index into reps
    sizes = np.bincount(at, minlength=len(reps))
    by_key = np.argsort(at, kind="stable").tolist()  # key r's rows: by_key[of[r]:of[r + 1]]
    of = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    i, j = close_pair_arrays(vectors[reps], threshold, block, clustered)
    if apart is not None and len(i):
        keep = ~np.broadcast_to(np.asarray(apart(reps[i], reps[j]), bool), i.shape)
        i, j = i[keep], j[keep]
    count = sizes.astype(np.float64)
    weight = count + np.bincount(i, count[j], len(reps)) + np.bincount(j, count[i], len(reps))
    start, neighbour = _adjacency(i, j, len(reps))
    taken = np.zeros(len(reps), bool)
    groups: list[list[int]] = []
    for centre in np.lexsort((np.arange(len(reps)), -weight)).tolist():
        if taken[centre]:
            continue
        close = neighbour[start[centre]:start[centre + 1]]
        members = close[~taken[close]].tolist()  # ascending, as the rows are
        taken[centre] = True
        taken[members] = True
        rows = [r for m in [centre, *members] for r in by_key[of[m]:of[m + 1]]]
        if len(rows) > 1:
            groups.append(rows)
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def _adjacency(i: np.ndarray, j: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists of undirected pairs: row r's neighbours, ascending, are
    neighbour[start[r]:start[r + 1]]."""
    both = np.concatenate([i * n + j, j * n + i])
    both.sort()  # by row, then neighbour
    start = np.searchsorted(both, np.arange(n + 1) * n)
    return start, both % n


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
