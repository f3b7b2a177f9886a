"""What statistics need, counted per dataset file and cached, so `stats` parses no proposal
again (100k proposals: ~12 s of parsing; from the cache a fraction of a second).

WORKSPACE/cache/summaries.json maps each datasets/*.json file name to the signature it was
read at (inode, size, mtime_ns: files are only ever replaced whole, see files.py), its problem,
and its counts: proposals per (dataset, model, variant, source, passes the checks), token and
cost sums, failed rules, instruction hashes (exact duplicates), and each proposal id with the
count it falls in, so that decisions move it from `undecided` to its status. A file whose
signature changed is parsed again; the cache is derived data, rebuilt when missing or
unreadable, and never needed for correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from itertools import chain
from pathlib import Path
from typing import Any

from dynotui.core.durable import atomic_write
from dynotui.core.errors import StoreError
from dynotui.core.models import Proposal
from dynotui.core.store.records import DamagedFile

CACHE = Path("cache") / "summaries.json"
VERSION = 3
UNDECIDED = "undecided"


def instruction_key(p: Proposal) -> str:
    text = p.task.instruction.strip()
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest() if text else ""


def summarise(props: list[Proposal]) -> dict[str, Any]:
    """The counts of one file's proposals (a cache entry without its signature)."""
    keys: dict[tuple, int] = {}
    counts: list[int] = []
    key_of: list[int] = []
    sums = [0, 0, 0.0, 0, 0]  # tokens in, tokens out, cost, with errors, with warnings
    rules: dict[str, int] = {}
    instr: list[str] = []  # a list, not counts: Counter counts a chain of lists in C
    for p in props:
        errors = warnings = False
        for v in p.verdicts:
            if not v.ok:
                rules[v.rule] = rules.get(v.rule, 0) + 1
                errors = errors or v.level == "error"
                warnings = warnings or v.level == "warning"
        key = (p.dataset, p.model, p.variant, p.source, not errors)
        k = keys.setdefault(key, len(keys))
        if k == len(counts):
            counts.append(0)
        counts[k] += 1
        key_of.append(k)
        sums[0] += p.tokens_in
        sums[1] += p.tokens_out
        sums[2] += p.cost_usd
        sums[3] += errors
        sums[4] += warnings
        text = instruction_key(p)
        if text:
            instr.append(text)
    return {"keys": [list(k) for k in keys], "counts": counts, "pids": [p.id for p in props],
            "key_of": key_of, "sums": sums, "rules": rules, "instr": instr}


class Tally:
    """Counts over the live proposals: `groups` maps (dataset, model, variant, source,
    passes the checks, status) to a number of proposals."""

    def __init__(self) -> None:
        self.groups: Counter[tuple] = Counter()
        self.tokens_in = self.tokens_out = self.errors = self.warnings = 0
        self.cost = 0.0
        self.rules: Counter[str] = Counter()
        self.instructions: Counter[str] = Counter()
        self._instr: list[list[str]] = []  # instruction hashes per entry
        self._dropped: list[dict[str, Any]] = []

    @property
    def proposals(self) -> int:
        return sum(self.groups.values())

    def add(self, entry: dict[str, Any]) -> None:
        for key, n in zip(entry["keys"], entry["counts"]):
            if len(key) != 5:
                raise ValueError("not a count key")
            self.groups[(*key, UNDECIDED)] += n
        self._sum(entry["sums"], 1)
        rules = self.rules
        for rule, n in entry["rules"].items():  # a few per file
            rules[rule] += n
        self._instr.append(entry["instr"])

    def _sum(self, sums: list, sign: int) -> None:
        tin, tout, cost, errors, warnings = sums
        self.tokens_in += sign * tin
        self.tokens_out += sign * tout
        self.cost += sign * cost
        self.errors += sign * errors
        self.warnings += sign * warnings

    def move(self, key: tuple, status: str) -> None:
        self.groups[(*key, UNDECIDED)] -= 1
        self.groups[(*key, status)] += 1

    def drop(self, key: tuple, prop: Proposal) -> None:
        """Leave out a proposal counted in `key` (a version whose edit was undone)."""
        self.groups[(*key, UNDECIDED)] -= 1
        entry = summarise([prop])
        self._sum(entry["sums"], -1)
        self._dropped.append(entry)

    def finish(self) -> Tally:
        self.instructions = Counter(chain.from_iterable(self._instr))
        for entry in self._dropped:
            self.rules.subtract(entry["rules"])
            self.instructions.subtract(entry["instr"])
        for counter in (self.groups, self.rules, self.instructions):  # drop the emptied
            for key in [k for k, n in counter.items() if n <= 0]:
                del counter[key]
        return self


def _usable(entry: Any, sig: list[int]) -> bool:
    """A cache entry for this signature (a wrong shape inside it shows when it is counted)."""
    return isinstance(entry, dict) and entry.get("sig") == sig


def _problem(entry: dict[str, Any]) -> StoreError | None:
    problem = entry.get("problem")
    if not problem:
        return None
    message, hint, counted = problem
    return (DamagedFile if counted else StoreError)(message, hint)


def _entry(datasets, path: Path) -> dict[str, Any]:
    """The cache entry of a file `datasets` (DatasetFiles) holds in memory."""
    sig = datasets.sigs.get(path)
    error = datasets.broken.get(path) or datasets.damaged.get(path)
    props = datasets.props
    return {"sig": list(sig) if sig else None,
            **summarise([props[pid] for pid in datasets.pids_of.get(path, [])]),
            "problem": [error.message, error.hint, isinstance(error, DamagedFile)]
            if error is not None else None}


def _undone(datasets, ledger, path: str, pid: str) -> Proposal | None:
    """The version `pid` when every edit that made it was undone (it counts nowhere), else None."""
    if pid not in ledger.edits or not ledger.retracted(pid):
        return None
    prop = datasets.fresh_proposal(Path(path), pid)
    return prop if prop is not None and prop.parent else None


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

    def entries(self, datasets) -> list[tuple[str, dict[str, Any]]]:
        """(file, entry) of every dataset file, parsing the files that changed; `datasets`
        is the workspace's DatasetFiles."""
        files = self._load()
        out = []  # (path as text: 5k Path objects cost more than counting)
        changed, seen = False, set()
        for item in os.scandir(datasets.folder):
            if not item.name.endswith(".json") or item.name.startswith("."):
                continue
            seen.add(item.name)
            try:
                st = item.stat()
            except FileNotFoundError:
                continue
            sig = [st.st_ino, st.st_size, st.st_mtime_ns]
            entry = files.get(item.name)
            if not _usable(entry, sig):
                path = Path(item.path)
                datasets._load(path)  # parses and checks every record, as any read does
                entry = files[item.name] = _entry(datasets, path)
                changed = True
            out.append((item.path, entry))
        for name in set(files) - seen:
            del files[name]
            changed = True
        if changed:
            self._save()
        return out

    def tally(self, datasets, ledger, who: str) -> tuple[Tally, list[StoreError]]:
        """Counts over the live proposals with each one's status for `who` (the Ledger of
        every decision), and the problems of the dataset files."""
        return self._rebuilt_if_damaged(self._tally, datasets, ledger, who)

    def _rebuilt_if_damaged(self, read, *args):
        try:
            return read(*args)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):  # damaged values
            self.files = {}
            return read(*args)

    def _tally(self, datasets, ledger, who: str) -> tuple[Tally, list[StoreError]]:
        entries = self.entries(datasets)
        tally, problems = Tally(), []
        for _path, entry in entries:
            tally.add(entry)
            problem = _problem(entry)
            if problem is not None:
                problems.append(problem)
        decided = ledger.by_pid.keys() | ledger.edits.keys()
        if not decided:
            return tally.finish(), problems
        where: dict[str, tuple[tuple, str]] = {}
        for path, entry in entries:
            keys = [(tuple(k), path) for k in entry["keys"]]
            where.update(zip(entry["pids"], [keys[k] for k in entry["key_of"]]))
        for pid in decided:
            found = where.get(pid)
            if found is None:
                continue  # decided, but in no readable file
            key, path = found
            prop = _undone(datasets, ledger, path, pid)
            if prop is not None:  # an edit undone: no proposal any more
                tally.drop(key, prop)
                continue
            if pid in ledger.by_pid:
                status = ledger.status(pid, who)
                if status != UNDECIDED:
                    tally.move(key, status)
        return tally.finish(), problems

    def live_ids(self, datasets, ledger) -> list[str]:
        """The ids of the live proposals (all but versions whose edit was undone) from the
        cache: only changed files are parsed."""
        return self._rebuilt_if_damaged(self._live_ids, datasets, ledger)

    def _live_ids(self, datasets, ledger) -> list[str]:
        out: list[str] = []
        for path, entry in self.entries(datasets):
            pids = entry["pids"]
            if not isinstance(pids, list):
                raise TypeError("pids is not a list")
            out += [pid for pid in pids if _undone(datasets, ledger, path, pid) is None]
        return out

    def update(self, datasets) -> None:
        """Entries for every file `datasets` holds in memory (after a big import), saved."""
        files = self._load()
        for path in datasets.pids_of:
            if datasets.sigs.get(path) and path not in datasets.broken:
                files[path.name] = _entry(datasets, path)
        self._save()

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            data = json.dumps({"version": VERSION, "files": self.files}, ensure_ascii=False,
                              separators=(",", ":")).encode()
            atomic_write(self.path, data)
        except OSError:
            pass  # a read-only or full workspace: stats works without the cache
