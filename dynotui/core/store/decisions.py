"""Decision event files of every session and annotator, merged into one Ledger."""

from __future__ import annotations

import bisect
import os
import secrets
import time
from pathlib import Path

from tinydb.table import Table

from dynotui.core.errors import StoreError
from dynotui.core.models import Decision
from dynotui.core.store.eventlog import (CKPT_SUFFIX, TABLE, EventLog, events_path,
                                         missing_problem)
from dynotui.core.durable import ensure_dir
from dynotui.core.store.layout import DECISIONS, ROLL_EVENTS, SCHEMA, annotator_dir
from dynotui.core.store.state import Ledger

REUSE_SCAN = 8  # how many of the annotator's newest files a new writer tries to continue


def _set_aside(path: Path, names: set[str]) -> bool:
    """Renamed in its folder (`NAME.bad`, `NAME.jsonl.bad`), as dynotui's hints say to do with
    a broken file: its events are out of the count but not lost."""
    folder, stem = str(path.parent), path.stem
    return any(n.startswith(f"{folder}{os.sep}{stem}.") for n in names if n != str(path))


class DecisionFiles:
    """Reads all events files incrementally; appends this session's events to its own file."""

    def __init__(self, workspace: Path, annotator: str, session: str) -> None:
        self.workspace = workspace
        self.folder = workspace / DECISIONS
        ensure_dir(self.folder)
        self.annotator = annotator
        self.session = session
        self.logs: dict[Path, EventLog] = {}
        self.ledger = Ledger()
        self.all: list[Decision] = []
        self.mine: list[Decision] = []  # this annotator's events in (ts, id) order, for undo
        self.broken: dict[Path, StoreError] = {}  # unreadable: none of its events count
        self.damaged: dict[Path, StoreError] = {}  # read, but events lost or records skipped
        self.epoch = 0  # +1 whenever `all` is rebuilt from scratch (positions in it change)
        self.writer: EventLog | None = None
        self._last_ts = 0.0
        self._part = 0

    # -- reading --------------------------------------------------------------------------
    def refresh(self) -> None:
        seen, names, checkpoints = set(), set(), []
        for sub in os.scandir(self.folder):
            if not sub.is_dir():
                continue
            for entry in os.scandir(sub.path):
                names.add(entry.path)
                if entry.name.endswith(".jsonl") and not entry.name.startswith("."):
                    path = Path(entry.path)
                    seen.add(path)
                    if path not in self.logs:
                        self.logs[path] = EventLog(path)
                    if self.logs[path] is not self.writer:
                        self._read(self.logs[path])
                elif entry.name.endswith(CKPT_SUFFIX) and entry.name.startswith("."):
                    checkpoints.append(Path(entry.path))
        for path in set(self.broken) - seen:  # moved aside by the user, as the error told
            del self.broken[path]
            self.logs.pop(path, None)
        for path in set(self.damaged) - seen:
            del self.damaged[path]
        for ckpt in checkpoints:
            path = events_path(ckpt)
            if path not in seen and not _set_aside(path, names):  # deleted: its events lost
                problem = missing_problem(path)
                if problem is not None:
                    self.damaged[path] = problem

    def _read(self, log: EventLog) -> None:
        if log.path in self.broken:
            return  # reported once; the file is left exactly as it is
        try:
            reset, new = log.load_new()
        except StoreError as exc:
            self.broken[log.path] = exc
            return
        problem = log.problem()
        if problem is None:
            self.damaged.pop(log.path, None)
        else:
            self.damaged[log.path] = problem
        if reset:
            self._rebuild()
            return
        for doc in new:
            self._add(Decision.from_dict(doc))

    def _rebuild(self) -> None:
        self.epoch += 1
        self.ledger, self.all, self.mine = Ledger(), [], []
        for log in self.logs.values():
            for doc in log.docs:
                self._add(Decision.from_dict(doc))

    def _add(self, event: Decision) -> None:
        if event.id not in self.ledger.ids:
            self.ledger.add(event)
            self.all.append(event)
            if event.annotator == self.annotator:
                bisect.insort(self.mine, event, key=lambda e: (e.ts, e.id))

    # -- writing --------------------------------------------------------------------------
    def new_event(self, **fields) -> Decision:
        # Strictly increasing per session, so "latest" is well defined even within one clock tick.
        ts = max(time.time(), self._last_ts + 1e-6)
        self._last_ts = ts
        return Decision(annotator=self.annotator, session=self.session, ts=ts,
                        id=f"{int(ts * 1e6):x}-{secrets.token_hex(4)}", **fields)

    def _claim(self) -> EventLog:
        """Continue a file of this annotator nobody writes any more, else start a new one."""
        folder = annotator_dir(self.workspace, self.annotator)
        ensure_dir(folder)
        for path in sorted(folder.glob("*.jsonl"), reverse=True)[:REUSE_SCAN]:
            log = self.logs.setdefault(path, EventLog(path))
            if log is self.writer or path in self.broken or len(log.docs) >= ROLL_EVENTS \
                    or not log.own():
                continue
            self._read(log)  # under its lock: nothing more is coming, all of it is read
            if path not in self.broken and log.complete() and log.problem() is None \
                    and len(log.docs) < ROLL_EVENTS:
                return log
            log.close()
        while True:
            self._part += 1
            path = folder / f"{self.session}-{self._part:04d}.jsonl"
            header = {"schema": SCHEMA, "annotator": self.annotator, "session": self.session,
                      "created": time.time()}
            log = EventLog.create(path, header)
            if log is None:
                continue
            self.logs[path] = log
            if log.own():  # another session may have grabbed the brand-new file first
                return log

    def append(self, events: list[Decision]) -> None:
        """Write events to this session's file; durable when this returns."""
        if self.writer is None or len(self.writer.docs) >= ROLL_EVENTS:
            if self.writer is not None:
                self.writer.close()
            try:
                self.writer = self._claim()
            except OSError as exc:  # a read-only or full workspace: nothing was saved
                self.writer = None
                raise StoreError(
                    f"Cannot save decisions in {annotator_dir(self.workspace, self.annotator)}: "
                    f"{exc.strerror}.", "Check that the workspace is writable and the disk not "
                    "full, or choose another --workspace; nothing was saved.") from exc
        Table(self.writer, TABLE, cache_size=0).insert_multiple(e.to_dict() for e in events)
        for event in events:
            self._add(event)

    def undoable(self, limit: int = 2) -> list[Decision]:
        """This annotator's latest events not undone yet, newest first."""
        out: list[Decision] = []
        for event in reversed(self.mine):
            if event.action != "undo" and event.id not in self.ledger.undone:
                out.append(event)
                if len(out) == limit:
                    break
        return out

    def close(self) -> None:
        for log in self.logs.values():
            log.close()
