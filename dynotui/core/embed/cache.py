"""Vectors cached in the workspace, keyed by model and text hash.

Layout: WORKSPACE/embeddings/<model-slug>/shard-*.npz, each holding `keys` (text hashes) and
`vectors` (float32, L2-normalised). Shards are only ever added, each written atomically under
a unique name, so several processes can add at once; past MAX_SHARDS they are merged under a lock.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import threading
import time
from pathlib import Path

import numpy as np

from dynotui.core.embed.model import model_label, model_slug
from dynotui.core.durable import atomic_write, clean_temp_files
from dynotui.core.errors import StoreError

EMBEDDINGS = "embeddings"
MAX_SHARDS = 16
KEY_DTYPE = "S24"


def text_key(text: str) -> bytes:
    """Hash of the stripped text: the cache key within one model."""
    return hashlib.blake2b(text.strip().encode("utf-8", "surrogatepass"), digest_size=12).hexdigest().encode()


def model_dir(workspace: str | Path, model: str | None) -> Path:
    return Path(workspace) / EMBEDDINGS / model_slug(model)


def _npz_bytes(keys: np.ndarray, vectors: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, keys=keys, vectors=vectors)
    return buf.getvalue()


class VectorCache:
    """The cached vectors of one model in one workspace, read incrementally."""

    def __init__(self, workspace: str | Path, model: str | None) -> None:
        self.dir = model_dir(workspace, model)
        self.label = model_label(model)
        self.dim: int | None = None
        self._rows: dict[bytes, int] = {}
        self._parts: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None
        self._loaded: set[str] = set()
        self._lock = threading.Lock()
        self.skipped: list[str] = []  # shards that could not be read (ignored, recomputed)
        if self.dir.is_dir():
            clean_temp_files(self.dir)

    def __len__(self) -> int:
        return len(self._rows)

    def _shards(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.dir) if n.startswith("shard-") and n.endswith(".npz"))
        except FileNotFoundError:
            return []

    def _reset(self) -> None:
        self._rows, self._parts, self._matrix, self._loaded = {}, [], None, set()

    def _take(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        if self.dim is None:
            self.dim = int(vectors.shape[1])
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(keys) != len(vectors):
            raise ValueError("shape")
        base = sum(len(p) for p in self._parts)
        self._parts.append(np.ascontiguousarray(vectors, dtype=np.float32))
        self._matrix = None
        for i, key in enumerate(keys.tolist()):
            self._rows[key] = base + i

    def refresh(self) -> None:
        """Read shards added since the last call (all again when a merge removed some)."""
        with self._lock:
            for _attempt in range(3):
                names = self._shards()
                if not self._loaded <= set(names):
                    self._reset()  # merged by another process: start over
                try:
                    for name in names:
                        if name in self._loaded:
                            continue
                        try:
                            with np.load(self.dir / name, allow_pickle=False) as data:
                                self._take(data["keys"], data["vectors"])
                        except FileNotFoundError:
                            raise
                        except Exception:  # unreadable or foreign shard: its texts get embedded again
                            self.skipped.append(name)
                        self._loaded.add(name)
                    return
                except FileNotFoundError:
                    continue

    def matrix(self) -> np.ndarray:
        if not self._parts:
            return np.zeros((0, self.dim or 0), np.float32)
        if self._matrix is None:
            self._matrix = np.concatenate(self._parts)
            self._parts = [self._matrix]
        return self._matrix

    def lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        """key -> vector for the keys already cached."""
        self.refresh()
        matrix = self.matrix()
        return {k: matrix[self._rows[k]] for k in keys if k in self._rows}

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Store new vectors as one shard (durable on return)."""
        if not keys:
            return
        karr = np.array(keys, dtype=KEY_DTYPE)
        varr = np.ascontiguousarray(vectors, dtype=np.float32)
        name = f"shard-{time.time_ns()}-{os.getpid()}-{secrets.token_hex(3)}.npz"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            meta = self.dir / "model.json"
            if not meta.exists():
                atomic_write(meta, json.dumps({"model": self.label, "dim": int(varr.shape[1])}).encode())
            atomic_write(self.dir / name, _npz_bytes(karr, varr))
        except OSError as exc:
            raise StoreError(f"Cannot write the embedding cache in {self.dir}: {exc.strerror or exc}.",
                             "Check the workspace folder's permissions and free space.") from exc
        with self._lock:
            if self.dim is not None and varr.shape[1] != self.dim:
                self._reset()
                self.dim = None
            self._take(karr, varr)
            self._loaded.add(name)
        if len(self._shards()) > MAX_SHARDS:
            self.compact()

    def compact(self) -> None:
        """Merge all shards into one; skipped when another process is merging."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.dir / ".merge.lock"), timeout=0)
        try:
            with lock:
                self.refresh()
                names = sorted(self._loaded - set(self.skipped))
                if len(names) < 2:
                    return
                keys = sorted(self._rows, key=self._rows.__getitem__)
                matrix = self.matrix()[[self._rows[k] for k in keys]]
                name = f"shard-{time.time_ns()}-{os.getpid()}-merged.npz"
                atomic_write(self.dir / name, _npz_bytes(np.array(keys, dtype=KEY_DTYPE), matrix))
                for old in names:
                    try:
                        os.unlink(self.dir / old)
                    except FileNotFoundError:
                        pass
                with self._lock:
                    self._reset()
                self.refresh()
        except Timeout:
            return


_caches: dict[tuple[str, str], VectorCache] = {}
_caches_lock = threading.Lock()


def cache_for(workspace: str | Path, model: str | None) -> VectorCache:
    """One VectorCache per (workspace, model) per process, so repeated look-ups read only new shards."""
    key = (str(Path(workspace).resolve()), model_label(model))
    with _caches_lock:
        if key not in _caches:
            _caches[key] = VectorCache(workspace, model)
        return _caches[key]
