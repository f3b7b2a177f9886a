"""Every pair of unit vectors with cosine >= threshold, exactly, without scoring all pairs.

Rows are clustered around ~4.5 sqrt(n) centres (k-means on a sample). For unit vectors the
angle is a metric, so a row x at angle phi from centre c and a member y at angle theta from c
are at least |phi - theta| apart. A close pair needs that to be <= alpha = arccos(threshold):
x is scored only against the members of c whose theta lies in [phi - alpha, phi + alpha], which
on MiniLM vectors leaves a few percent of all pairs (bench/near_groups.py). The bound is exact;
a small angular margin absorbs float32 rounding, and every candidate is scored by a plain dot
product, so the pairs are the ones all-pairs scoring finds.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

SCORES_PER_BLOCK = 8_000_000  # 32 MB of float32 scores per block, whatever n is
CLUSTERED_FROM = 4_000  # below this, all pairs are quicker than clustering
EDGE = 1e-5  # float32 scores this close to the threshold are settled in float64
MARGIN = 0.01  # radians: float32 cosines near 1 can be off by ~1e-6, arccos turns that into 0.0045
CENTRES_PER_ROOT = 4.5  # clusters per sqrt(rows)
ROUNDS = 3  # k-means rounds on the sample
SAMPLE = 16  # sample rows per centre
WORKERS = max(1, min(4, os.cpu_count() or 1))
TILE = 64  # rows of one cluster searched together (a larger cluster is cut)


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
        count = int(min(4096, max(8, round(CENTRES_PER_ROOT * np.sqrt(n)))))
        centre = centres(x, count, ROUNDS)
        block = max(256, SCORES_PER_BLOCK // count)
        label = np.concatenate(list(pool.map(
            lambda s: np.argmax(x[s:s + block] @ centre.T, axis=1), range(0, n, block))))
        theta = _angles(np.einsum("ij,ij->i", x, centre[label]))  # each row to its own centre
        order = np.lexsort((theta, label))  # members of a cluster together, nearest first
        xs, label, theta = x[order], label[order], theta[order]
        key = label * 4.0 + theta  # sorted: one search finds a band of angles in any cluster
        starts = np.searchsorted(label, np.arange(count + 1))
        farthest = np.full(count, -1.0)
        np.maximum.at(farthest, label, theta)
        alpha = float(np.arccos(min(1.0, threshold))) + MARGIN
        tiles = [(int(c), first, min(first + TILE, int(starts[c + 1])))
                 for c in np.nonzero(starts[1:] > starts[:-1])[0]
                 for first in range(int(starts[c]), int(starts[c + 1]), TILE)]
        found = list(pool.map(lambda tile: _cluster_pairs(xs, *tile, centre, key, farthest,
                                                          alpha, threshold), tiles))
    i, j = _joined([order[a] for a, _ in found], [order[b] for _, b in found])
    return np.minimum(i, j), np.maximum(i, j)


def _cluster_pairs(xs, c, start, stop, centre, key, farthest, alpha, threshold):
    """Pairs (sorted positions) from rows start:stop of cluster c to rows of clusters >= c.

    Each later cluster is searched only in the band of angles its centre sees these rows at,
    widened by alpha; bands are contiguous in the sorted rows, so no row is gathered alone.
    """
    later = np.arange(c, len(centre))
    cosine = xs[start:stop] @ centre[c:].T  # these rows to every later centre
    low = _angles(cosine.max(axis=0)) - alpha  # arccos falls: the nearest row has the largest
    high = _angles(cosine.min(axis=0)) + alpha
    reach = low <= farthest[c:]
    later, low, high = later[reach], np.maximum(low[reach], 0.0), np.minimum(high[reach], 3.5)
    lo = np.searchsorted(key, later * 4.0 + low, side="left")
    hi = np.searchsorted(key, later * 4.0 + high, side="right")
    lo[0] = start  # c itself from this tile on: earlier rows of c found these pairs already
    size = hi - lo
    keep = size > 0
    lo, size = lo[keep], size[keep]
    picked = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
    block = xs[picked]  # the bands, end to end
    # the other side of the bound: a partner sits within alpha of our rows' angles to c's centre
    theta = key[start:stop] - c * 4.0  # ascending
    back = _angles(block @ centre[c])
    near = (back >= theta[0] - alpha) & (back <= theta[-1] + alpha)
    r, k = _above(xs[start:stop], block[near], threshold)
    a, b = start + r, picked[near][k]
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
