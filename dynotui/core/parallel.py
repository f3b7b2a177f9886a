"""A map shared among forked processes, for CPU-bound pure work on many items (the checks of a
100k task import): each CPU takes slices of the list, results come back in order.

Forked workers inherit the items (nothing is pickled on the way in) and return only results.
The plain loop runs instead when it would not pay or not be safe: few items, one CPU, no
`fork` (Windows), or other threads alive (forking a threaded process can deadlock: the TUI
runs imports in a worker thread).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from typing import Any, Callable

MAX_WORKERS = 8
SLICE = 1000  # items per task handed to a worker: small enough to balance the CPUs

_work: tuple[Callable[..., Any], list[tuple]] | None = None  # what forked workers inherit


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def _slice(bounds: tuple[int, int]) -> list[Any]:
    func, items = _work  # type: ignore[misc]
    return [func(*item) for item in items[bounds[0]:bounds[1]]]


def fork_map(func: Callable[..., Any], items: list[tuple], above: int = 4000) -> list[Any]:
    """[func(*item) for item in items]; in forked processes when there are more than `above`
    items and it is safe. `func` must be pure: what workers change stays in the workers."""
    global _work
    workers = min(cpus(), MAX_WORKERS, -(-len(items) // SLICE))
    if len(items) <= above or workers < 2 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [func(*item) for item in items]
    _work = (func, items)
    gc.freeze()  # workers' collections then leave the inherited objects (and their pages) alone
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        parts = pool.map(_slice, [(i, i + SLICE) for i in range(0, len(items), SLICE)])
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()  # reaped: their CPU time counts as this process's children's
        gc.unfreeze()
        _work = None
    return [result for part in parts for result in part]
