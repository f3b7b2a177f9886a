"""The store's files: a TinyDB storage on core.durable's atomic replace, and their checks.

TinyDB's default JSONStorage rewrites the file in place (corrupts on SIGKILL, DESIGN.md §4);
this storage replaces the file atomically (core.durable), so a reader sees the old or the new
file, never half of one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from dynotui.core.durable import atomic_write, atomic_write_many
from dynotui.core.errors import StoreError

MARKER = "_dynotui"  # table every dynotui file carries: {"1": {"kind": ..., "schema": N}}


def signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when any process rewrites the file (replace gives a new inode)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def file_error(path: Path, what: str) -> StoreError:
    return StoreError(
        f"Store file {path} {what}.",
        f"dynotui never overwrites it. Move it aside (mv '{path}' '{path}.bad') or restore it "
        "from a backup, then run again; the rest of the workspace stays usable.")


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def load_json_file(path: Path, kind: str) -> dict[str, Any]:
    """Read a dynotui TinyDB file of `kind`; StoreError naming the file if corrupt or foreign."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"Cannot read store file {path}: {exc.strerror}.",
                         "Check the file's permissions.") from exc
    if not raw.strip():
        raise file_error(path, "is empty (truncated)")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise file_error(path, f"is corrupt or truncated ({exc})") from exc
    mark = data.get(MARKER, {}).get("1") if isinstance(data, dict) else None
    if not isinstance(mark, dict) or mark.get("kind") != kind:
        raise file_error(path, f"is not a dynotui {kind} file (foreign content)")
    return data


class AtomicStorage(Storage):
    """TinyDB storage for one small JSON file: cached reads, atomic writes.

    read() re-parses only when another process replaced the file (inode/size/mtime changed).
    A file that failed to load is never written: the error is raised again instead.
    """

    def __init__(self, path: str | Path, kind: str, schema: int) -> None:
        self.path = Path(path)
        self.kind = kind
        self.schema = schema
        self._sig: tuple[int, int, int] | None = None
        self._data: dict[str, Any] | None = None
        self.deferred: list[tuple[AtomicStorage, dict]] | None = None  # batch mode

    def fresh(self) -> dict[str, Any]:
        """The file's data (a new empty document when it does not exist yet)."""
        sig = signature(self.path)
        if sig is None:
            if self._data is None or self._sig is not None:
                self._data = {MARKER: {"1": {"kind": self.kind, "schema": self.schema}}}
                self._sig = None
            return self._data
        if sig != self._sig or self._data is None:
            self._data = load_json_file(self.path, self.kind)
            self._sig = sig
        return self._data

    def read(self) -> dict[str, Any]:
        return self.fresh()

    def invalidate(self) -> None:
        """Re-read on next access. Writers call it under the lock: a file rewritten twice within
        one timestamp tick can reuse the inode and size, and a stale cache would lose an update."""
        self._data, self._sig = None, None

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self.deferred is not None:
            self.deferred.append((self, data))
            return
        try:
            atomic_write(self.path, dumps(data))
        except OSError as exc:
            self._data, self._sig = None, None
            raise StoreError(f"Cannot write store file {self.path}: {exc.strerror}.",
                             "Check free disk space and permissions; nothing was saved.") from exc
        self._sig = signature(self.path)

    def written(self) -> None:
        """After a batched write landed: remember the file's new signature."""
        self._sig = signature(self.path)

    def close(self) -> None:
        pass


def flush_deferred(batch: list[tuple[AtomicStorage, dict]]) -> None:
    """Write a batch of deferred storage writes (last write per file wins)."""
    last: dict[Path, tuple[AtomicStorage, dict]] = {}
    for storage, data in batch:
        last[storage.path] = (storage, data)
    try:
        atomic_write_many([(s.path, dumps(d)) for s, d in last.values()])
    except OSError as exc:
        for storage, _ in last.values():
            storage._data, storage._sig = None, None
        raise StoreError(f"Cannot write the store: {exc.strerror}.",
                         "Check free disk space and permissions; nothing was saved.") from exc
    for storage, _ in last.values():
        storage.written()
