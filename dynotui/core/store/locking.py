"""The store's two locks: in-process (`serial` methods) and between processes (`Locked`)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from dynotui.core.errors import StoreError
from dynotui.core.store.files import AtomicStorage
from dynotui.core.store.layout import LOCK


def serial(method):
    """Run the method under the store's in-process lock (the TUI reads in workers while a
    thread writes); the lock is re-entrant, so serial methods may call each other."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)
    return wrapper


class Locked:
    """FileLock with a StoreError naming the lock when another process holds it too long."""

    def __init__(self, lock: Any, workspace: Path, index: AtomicStorage) -> None:
        self.lock, self.workspace, self.index = lock, workspace, index

    def __enter__(self) -> None:
        from filelock import Timeout  # loaded with the lock (Store.locked defers it)

        try:
            self.lock.acquire()
        except Timeout as exc:
            raise StoreError(f"The workspace {self.workspace} is locked by another dynotui "
                             "process.", f"Wait for it to finish; the lock is "
                             f"{self.workspace / LOCK}.") from exc
        except OSError as exc:
            raise StoreError(f"Cannot lock the workspace {self.workspace}: {exc.strerror}.",
                             "Check that the folder is writable, or choose another "
                             "--workspace.") from exc
        self.index.invalidate()  # read what the last holder wrote, not a cached copy

    def __exit__(self, *exc: Any) -> None:
        self.lock.release()
