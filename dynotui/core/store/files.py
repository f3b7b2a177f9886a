"""Crash-safe files: atomic replace, a TinyDB storage on top of it, leftover temp cleanup.

TinyDB's default JSONStorage rewrites the file in place (corrupts on SIGKILL, DESIGN.md §4);
this storage writes a temp file in the same folder, fsyncs it, os.replace()s it and fsyncs
the folder, so a reader sees the old or the new file, never half of one.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from dynotui.core.errors import StoreError

TMP_MARK = ".tmp-"
MARKER = "_dynotui"  # table every dynotui file carries: {"1": {"kind": ..., "schema": N}}
SYNC_PARALLEL_ABOVE = 4  # more files than this: fsync them from a thread pool


def fsync_dir(path: Path) -> None:
    """fsync a folder (or a file) by path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """Create a folder durably: a new folder's own name must survive a power cut too."""
    if path.is_dir():
        return
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        fsync_dir(folder.parent)


def temp_name(path: Path) -> Path:
    # pid in the name lets cleanup tell a live writer's temp file from a dead one's.
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def _write_temp(path: Path, data: bytes, sync: bool) -> Path:
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` by `data`: durable when this returns, never half-written."""
    tmp = _write_temp(path, data, sync=True)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def atomic_write_many(items: list[tuple[Path, bytes]]) -> None:
    """Several atomic replaces: each file is old or new, all durable on return."""
    if len(items) <= SYNC_PARALLEL_ABOVE:
        for path, data in items:
            atomic_write(path, data)
        return
    from concurrent.futures import ThreadPoolExecutor

    temps = [(_write_temp(path, data, sync=False), path) for path, data in items]
    try:
        # fsyncs in parallel share journal commits: 300 files in ~0.1 s instead of ~1.5 s,
        # and unlike os.sync() they never wait for other programs' writes
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(fsync_dir, [tmp for tmp, _ in temps]))
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)
    for folder in {path.parent for _, path in temps}:
        fsync_dir(folder)


def create_exclusive(path: Path, data: bytes) -> bool:
    """Create `path` with `data` atomically unless it exists (False then)."""
    tmp = _write_temp(path, data, sync=True)
    try:
        os.link(tmp, path)  # atomic and fails when the name is taken
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_temp_files(folder: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temp files left by killed writers (dead pid, or older than max_age)."""
    removed = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for entry in os.scandir(folder):
        if TMP_MARK not in entry.name or not entry.name.startswith("."):
            continue
        try:
            pid = int(entry.name.rsplit(TMP_MARK, 1)[1].split("-")[0])
        except ValueError:
            pid = -1
        try:
            old = now - entry.stat().st_mtime > max_age
        except FileNotFoundError:
            continue
        if pid <= 0 or old or not pid_alive(pid):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except FileNotFoundError:
                pass
    return removed


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
