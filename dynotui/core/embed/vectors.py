"""Texts -> vectors: each distinct text embedded once, cached in the workspace when one is given."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from dynotui.core.embed.cache import cache_for, text_key
from dynotui.core.embed.model import encode, load_model, model_label


@dataclass
class EmbedReport:
    model: str
    texts: int = 0
    unique: int = 0  # distinct texts (after strip)
    cached: int = 0  # distinct texts found in the cache
    computed: int = 0  # distinct texts embedded now
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def embed_texts(texts: list[str], model: str | None = None, workspace: str | Path | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                ) -> tuple[np.ndarray, EmbedReport]:
    """L2-normalised float32 vectors (one row per text); only texts not cached are embedded.

    Loads the model only when something is missing from the cache. on_progress(done, total)
    is called from this thread after each batch of new texts.
    """
    started = time.perf_counter()
    report = EmbedReport(model=model_label(model), texts=len(texts))
    keys = [text_key(t) for t in texts]
    first: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    report.unique = len(first)
    cache = cache_for(workspace, model) if workspace is not None else None
    found = cache.lookup(list(first)) if cache is not None else {}
    missing = [k for k in first if k not in found]
    report.cached = len(found)
    vectors: dict[bytes, np.ndarray] = dict(found)
    if missing:
        encoder = load_model(model)
        fresh = encode(encoder, [texts[first[k]].strip() for k in missing], on_batch=on_progress)
        if cache is not None:
            cache.add(missing, fresh)
        vectors.update(zip(missing, fresh))
        report.computed = len(missing)
    dim = next(iter(vectors.values())).shape[0] if vectors else 0
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = vectors[key]
    report.seconds = time.perf_counter() - started
    return out, report


def embed_one(text: str, model: str | None = None, workspace: str | Path | None = None) -> np.ndarray:
    vectors, _ = embed_texts([text], model, workspace)
    return vectors[0]
