"""No cyclic garbage collection for a while, for bulk work that makes many objects and few
cycles: each collection walks every live object again (a tenth of a 100k import's CPU).
Reference counting still frees everything as usual."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
