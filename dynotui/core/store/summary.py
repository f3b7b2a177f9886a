"""What statistics need of each proposal, cached per dataset file so `stats` need not parse
every proposal again (100k proposals: ~12 s of parsing; from the cache well under 2 s).

WORKSPACE/cache/summaries.json maps each datasets/*.json file name to the signature it was
read at (inode, size, mtime_ns: files are only ever replaced whole, see files.py), its rows
and its problem. A file whose signature changed is parsed again; the cache is derived data,
rebuilt when missing or unreadable, and never needed for correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from dynotui.core.durable import atomic_write
from dynotui.core.errors import StoreError
from dynotui.core.models import Proposal
from dynotui.core.store.records import DamagedFile

CACHE = Path("cache") / "summaries.json"
VERSION = 1
# row fields, in order
ID, DATASET, MODEL, VARIANT, SOURCE, TOKENS_IN, TOKENS_OUT, COST, PARENT, ERRORS, WARNINGS, \
    FAILED, INSTRUCTION = range(13)


def row_of(p: Proposal) -> list[Any]:
    text = p.task.instruction.strip()
    key = hashlib.blake2b(text.encode(), digest_size=8).hexdigest() if text else ""
    return [p.id, p.dataset, p.model, p.variant, p.source, p.tokens_in, p.tokens_out,
            p.cost_usd, p.parent, bool(p.errors), bool(p.warnings),
            [v.rule for v in p.verdicts if not v.ok], key]


def _usable(entry: Any, sig: list[int]) -> bool:
    """A cache entry for this signature, of the shape written here."""
    if not isinstance(entry, dict) or entry.get("sig") != sig:
        return False
    rows, problem = entry.get("rows"), entry.get("problem")
    return isinstance(rows, list) and all(isinstance(r, list) and len(r) == 13 for r in rows) \
        and (problem is None or isinstance(problem, list) and len(problem) == 3)


def _problem(entry: dict[str, Any]) -> StoreError | None:
    problem = entry.get("problem")
    if not problem:
        return None
    message, hint, counted = problem
    return (DamagedFile if counted else StoreError)(message, hint)


class SummaryCache:
    def __init__(self, workspace: Path) -> None:
        self.path = workspace / CACHE
        self.files: dict[str, dict[str, Any]] | None = None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self.files is None:
            try:
                data = json.loads(self.path.read_bytes())
                ok = isinstance(data, dict) and data.get("version") == VERSION \
                    and isinstance(data.get("files"), dict)
                self.files = data["files"] if ok else {}
            except (OSError, ValueError, RecursionError):
                self.files = {}
        return self.files

    def rows(self, datasets) -> tuple[list[list[Any]], list[StoreError]]:
        """(rows of every stored proposal, problems of the dataset files); `datasets` is the
        workspace's DatasetFiles, used to parse the files that changed."""
        files = self._load()
        rows: list[list[Any]] = []
        problems: list[StoreError] = []
        changed, seen = False, set()
        for entry in os.scandir(datasets.folder):
            if not entry.name.endswith(".json") or entry.name.startswith("."):
                continue
            seen.add(entry.name)
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            sig = [st.st_ino, st.st_size, st.st_mtime_ns]
            cached = files.get(entry.name)
            if not _usable(cached, sig):
                cached = self._read(datasets, Path(entry.path))
                files[entry.name] = cached
                changed = True
            rows.extend(cached["rows"])
            problem = _problem(cached)
            if problem is not None:
                problems.append(problem)
        for name in set(files) - seen:
            del files[name]
            changed = True
        if changed:
            self._save()
        return rows, problems

    def _read(self, datasets, path: Path) -> dict[str, Any]:
        datasets._load(path)  # parses and checks every record, as any read does
        sig = datasets.sigs.get(path)
        error = datasets.broken.get(path) or datasets.damaged.get(path)
        props = datasets.props
        return {"sig": list(sig) if sig else None,
                "rows": [row_of(props[pid]) for pid in datasets.pids_of.get(path, [])],
                "problem": [error.message, error.hint, isinstance(error, DamagedFile)]
                if error is not None else None}

    def update(self, datasets) -> None:
        """Entries for every file `datasets` holds in memory (after a big import), saved."""
        files = self._load()
        for path, pids in datasets.pids_of.items():
            sig = datasets.sigs.get(path)
            if sig and path not in datasets.broken:
                error = datasets.damaged.get(path)
                files[path.name] = {
                    "sig": list(sig), "rows": [row_of(datasets.props[pid]) for pid in pids],
                    "problem": [error.message, error.hint, True] if error is not None else None}
        self._save()

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            data = json.dumps({"version": VERSION, "files": self.files}, ensure_ascii=False,
                              separators=(",", ":")).encode()
            atomic_write(self.path, data)
        except OSError:
            pass  # a read-only or full workspace: stats works without the cache
