"""What other processes changed since a look: proposals added to the dataset files (where
everyone stands on given proposals is Store.standing).

An open Review screen asks this every second from a worker thread (tui/watch.py), so the quiet
case costs one stat: every write in datasets/ is an atomic replace, a rename into the folder,
and that changes the folder's mtime. Only when it moved are the files' signatures compared,
and only the changed files are parsed again (by the store's own per-file cache).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Container

from dynotui.core.models import Proposal
from dynotui.core.store.files import signature
from dynotui.core.store.layout import DATASETS

# A folder whose mtime is this close to the last look may change again within the same clock
# tick (same mtime): look at its files anyway. And every FULL_EVERY seconds regardless.
RECENT_NS = 2_000_000_000
FULL_EVERY_NS = 30_000_000_000


@dataclass(frozen=True)
class FilesMark:
    """The dataset files as they were at one look."""

    folder: int | None  # mtime_ns of datasets/ (None: not there yet)
    looked: int  # time.time_ns() of the look
    files: dict[str, tuple] = field(default_factory=dict)  # file name -> signature
    full: int = 0  # time.time_ns() of the last look at every file


def _folder_mtime(folder) -> int | None:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def _signatures(folder) -> dict[str, tuple]:
    out = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    for entry in entries:
        if entry.name.endswith(".json") and not entry.name.startswith("."):
            sig = signature(entry.path)
            if sig is not None:
                out[entry.name] = sig
    return out


def files_mark(store: Any) -> FilesMark:
    """A mark of the dataset files now (take it before reading the proposals it stands for)."""
    folder = store.workspace / DATASETS
    now = time.time_ns()
    return FilesMark(_folder_mtime(folder), now, _signatures(folder), now)


def proposals_after(store: Any, mark: FilesMark | None,
                    known: Container[str]) -> tuple[FilesMark, list[Proposal]]:
    """(new mark, proposals in files created or changed since `mark` whose ids are not in
    `known`), oldest first. With no mark: the mark now and nothing (there is nothing to
    compare with)."""
    if mark is None:
        return files_mark(store), []
    folder = store.workspace / DATASETS
    now, mtime = time.time_ns(), _folder_mtime(folder)
    quiet = mtime == mark.folder and mark.looked - (mtime or 0) > RECENT_NS
    if quiet and now - mark.full < FULL_EVERY_NS:
        return FilesMark(mark.folder, now, mark.files, mark.full), []
    sigs = _signatures(folder)
    new_mark = FilesMark(mtime, now, sigs, now)
    changed = [name for name, sig in sigs.items() if mark.files.get(name) != sig]
    if not changed:
        return new_mark, []
    found = [p for p in store.proposals_in([folder / name for name in changed])
             if p.id not in known]
    found.sort(key=lambda p: (p.created, p.version))
    return new_mark, found

