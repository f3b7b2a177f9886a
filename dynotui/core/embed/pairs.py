"""Every pair of unit vectors with cosine >= threshold, exactly, without scoring all pairs.

Rows are clustered around ~4.5 sqrt(n) centres (k-means on a sample). For unit vectors the
angle is a metric, so a row x at angle phi from centre c and a member y at angle theta from c
are at least |phi - theta| apart; a close pair needs that to be <= alpha = arccos(threshold).
Rows sorted by cluster and angle make each band [phi - alpha, phi + alpha] one slice; the same
bound from x's own centre drops most of the slice; what is left, a few percent of all pairs on
MiniLM-like vectors (bench/near_groups.py), is scored by plain dot products. Margins cover the
rounding of the stored cosines, and scores within EDGE of the threshold are settled in float64,
so the pairs are exactly the ones all-pairs scoring finds. (An HNSW index, usearch, was slower
here and inexact: rows in near-duplicate clusters have up to ~800 neighbours above 0.9.)
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

SCORES_PER_BLOCK = 8_000_000  # 32 MB of float32 scores per block, whatever n is
CLUSTERED_FROM = 4_000  # below this, all pairs are quicker than clustering
EDGE = 1e-5  # float32 scores this close to the threshold are settled in float64
MARGIN = 0.01  # radians: float32 cosines near 1 can be off by ~1e-6, arccos turns that into 0.0045
CENTRES_PER_ROOT = 4.5  # clusters per sqrt(rows)
ROUNDS = 2  # k-means rounds on the sample
SAMPLE = 8  # sample rows per centre
WORKERS = max(1, min(4, os.cpu_count() or 1))
TILE = 64  # rows of one cluster searched together (a larger cluster is cut)
SCALE = 32_000  # cosines to centres are kept as int16: cosine * SCALE, rounded
COSINE_ERROR = 1.0 / SCALE  # rounding (half of 1 / SCALE) and float32 error, with room
COSINE_BYTES = 256_000_000  # at most this much for those cosines: fewer centres beyond ~100k rows


def all_pairs(vectors: np.ndarray, threshold: float, block: int | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with i < j and score >= threshold, every pair scored, block by block."""
    n = len(vectors)
    block = block or max(16, SCORES_PER_BLOCK // max(n, 1))
    rows, cols = [], []
    for start in range(0, n, block):
        r, c = _above(vectors[start:start + block], vectors[start:], threshold)
        keep = r < c  # the upper triangle: columns from `start`
        rows.append(r[keep] + start)
        cols.append(c[keep] + start)
    return _joined(rows, cols)


def _above(left: np.ndarray, right: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(r, k) with left[r] . right[k] >= threshold; scores within EDGE of it are settled in
    float64, so any block shape or order of summation gives the same pairs."""
    scores = left @ right.T
    r, k = np.nonzero(scores >= threshold - EDGE)
    edge = np.nonzero(scores[r, k] < threshold + EDGE)[0]
    if len(edge):
        exact = np.einsum("ij,ij->i", left[r[edge]].astype(np.float64),
                          right[k[edge]].astype(np.float64))
        drop = edge[exact < threshold]
        r, k = np.delete(r, drop), np.delete(k, drop)
    return r, k


def close_pair_arrays(vectors: np.ndarray, threshold: float, block: int | None = None,
                      clustered: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) index arrays, i < j, of every pair with vectors[i] . vectors[j] >= threshold.

    clustered=None picks by size; the clustered search needs unit vectors (else all pairs).
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if clustered is None:
        clustered = n >= CLUSTERED_FROM
    if clustered and n > 1 and threshold > 0 and _unit(vectors):
        return _clustered_pairs(vectors, threshold)
    return all_pairs(vectors, threshold, block)


def _unit(vectors: np.ndarray) -> bool:
    norms = np.einsum("ij,ij->i", vectors, vectors)
    return bool(np.all(np.abs(norms - 1) < 1e-3))


def _joined(rows: list[np.ndarray], cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)


def centres(vectors: np.ndarray, count: int, rounds: int = 3, seed: int = 0) -> np.ndarray:
    """`count` unit centres by spherical k-means on a sample (any centres keep the result
    exact; good ones only make it faster)."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    sample = vectors[np.sort(rng.choice(n, min(n, SAMPLE * count), replace=False))]
    found = sample[rng.choice(len(sample), count, replace=False)].copy()
    for _ in range(rounds):
        label = np.argmax(sample @ found.T, axis=1)
        order = np.argsort(label, kind="stable")
        present, starts = np.unique(label[order], return_index=True)
        found[present] = np.add.reduceat(sample[order], starts, axis=0)
        found /= np.maximum(np.linalg.norm(found, axis=1, keepdims=True), 1e-12)
    return found


def _angles(cosines: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip(cosines.astype(np.float64), -1.0, 1.0))


def _clustered_pairs(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    with one_blas_thread(), ThreadPoolExecutor(WORKERS) as pool:
        n = len(x)
        count = int(min(4096, COSINE_BYTES // (2 * n),
                        max(8, round(CENTRES_PER_ROOT * np.sqrt(n)))))
        centre = centres(x, count, ROUNDS)
        cosine = np.empty((count, n), np.int16)  # every row to every centre, x SCALE
        block = max(256, SCORES_PER_BLOCK // count)

        def assign(start: int) -> np.ndarray:
            scores = x[start:start + block] @ centre.T
            cosine[:, start:start + block] = np.rint(scores.T * SCALE)
            return np.argmax(scores, axis=1)

        label = np.concatenate(list(pool.map(assign, range(0, n, block))))
        theta = _angles(np.einsum("ij,ij->i", x, centre[label]))  # each row to its own centre
        order = np.lexsort((theta, label))  # members of a cluster together, nearest first
        xs, label, theta = x[order], label[order], theta[order]
        list(pool.map(lambda c: cosine.__setitem__(c, cosine[c][order]), range(count)))
        starts = np.searchsorted(label, np.arange(count + 1))
        farthest = np.full(count, -1.0)
        np.maximum.at(farthest, label, theta)
        search = Search(xs, cosine, label * 4.0 + theta, farthest,
                        float(np.arccos(min(1.0, threshold))) + MARGIN, threshold)
        tiles = [(int(c), first, min(first + TILE, int(starts[c + 1])))
                 for c in np.nonzero(starts[1:] > starts[:-1])[0]
                 for first in range(int(starts[c]), int(starts[c + 1]), TILE)]
        found = list(pool.map(lambda tile: search.pairs(*tile), tiles))
    i, j = _joined([order[a] for a, _ in found], [order[b] for _, b in found])
    return np.minimum(i, j), np.maximum(i, j)


@dataclass
class Search:
    """Rows sorted by cluster, then by angle to their centre (key = cluster * 4 + angle, so one
    sorted search finds a band of angles in any cluster), and every row's cosine to every
    centre, stored as int16 (cosine * SCALE, columns in the rows' sorted order)."""

    xs: np.ndarray
    cosine: np.ndarray
    key: np.ndarray
    farthest: np.ndarray  # per cluster, the largest angle of a member to its centre
    alpha: float  # arccos(threshold), plus MARGIN
    threshold: float

    def pairs(self, c: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (sorted positions) from rows start:stop of cluster c to clusters >= c.

        Each later cluster is read only in the band of angles its centre sees these rows at,
        widened by alpha (bands are contiguous in the sorted rows); of those, only rows within
        alpha of these rows' angles to c's centre (the bound from c's side) are scored.
        """
        alpha, near = self.alpha, self.cosine[c:, start:stop]
        low = _angles(near.max(axis=1) / SCALE + COSINE_ERROR) - alpha
        high = _angles(near.min(axis=1) / SCALE - COSINE_ERROR) + alpha
        reach = low <= self.farthest[c:]
        reach[0] = True  # c itself always (lo[0] below), whatever the rounding of its cosines
        later = np.nonzero(reach)[0]
        low, high = np.maximum(low[later], 0.0), np.minimum(high[later], 3.5)
        later = later + c
        lo = np.searchsorted(self.key, later * 4.0 + low, side="left")
        hi = np.searchsorted(self.key, later * 4.0 + high, side="right")
        lo[0] = start  # c itself from this tile on: earlier rows of c found these pairs already
        size = hi - lo
        lo, size = lo[size > 0], size[size > 0]
        picked = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
        theta = self.key[start:stop] - c * 4.0  # ascending
        top = np.cos(max(theta[0] - alpha, 0.0)) + COSINE_ERROR
        bottom = np.cos(min(theta[-1] + alpha, np.pi)) - COSINE_ERROR
        back = self.cosine[c, picked]
        picked = picked[(back >= np.floor(bottom * SCALE)) & (back <= np.ceil(top * SCALE))]
        r, k = _above(self.xs[start:stop], self.xs[picked], self.threshold)
        a, b = start + r, picked[k]
        once = a < b  # positions sort by cluster: b in a later cluster, or later in c
        return a[once], b[once]


def one_blas_thread():
    """BLAS on one thread while our own workers split the work: small products on a
    multi-threaded BLAS ran 2-10x slower on a busy machine. Without threadpoolctl, unchanged."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(1, user_api="blas")
