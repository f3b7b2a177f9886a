"""The workspace store: proposals, dataset metadata, decisions, generation cache, stages.

Layout (schema 2): index.json (schema, generation cache, stages), datasets/<slug>.json
(proposals + metadata of one dataset), decisions/<annotator>/<session>-<n>.jsonl (append-only
events). Every file is small, so every write is cheap; see layout.py and DESIGN.md §4.
"""

from __future__ import annotations

import os
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any


from dynotui.core.durable import clean_temp_files, ensure_dir
from dynotui.core.errors import StoreError
from dynotui.core.models import DatasetMeta, Decision, Proposal, Task
from dynotui.core.store import migrate
from dynotui.core.store.decisions import DecisionFiles
from dynotui.core.gcpause import gc_paused
from dynotui.core.team.people import login_name
from dynotui.core.store.files import AtomicStorage
from dynotui.core.store.layout import DATASETS, DECISIONS, INDEX, LOCK, SCHEMA
from dynotui.core.store.index import IndexTables
from dynotui.core.store.locking import Locked, serial
from dynotui.core.store.proposals import DatasetFiles
from dynotui.core.store.summary import SummaryCache, Tally
from dynotui.core.store.state import POLICIES, STATUS_OF

DECIDE_ACTIONS = ("accept", "reject", "skip", "flag", "unflag")


def default_session() -> str:
    return f"{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(2)}"


class Store(IndexTables):
    """One workspace folder. Safe for several processes and annotators at once."""

    def __init__(self, workspace: str | Path, annotator: str | None = None,
                 session: str | None = None, lock_timeout: float = 30.0) -> None:
        self.workspace = Path(workspace).expanduser()
        try:
            ensure_dir(self.workspace)
        except OSError as exc:
            raise StoreError(f"Cannot create the workspace folder {self.workspace}: "
                             f"{exc.strerror}.", "Choose another --workspace.") from exc
        self.annotator = annotator or login_name()
        self.session = session or default_session()
        self._mutex = threading.RLock()  # the TUI reads in workers while a thread writes
        self._lock_timeout = lock_timeout
        self._lock: Any = None  # the FileLock, made when first taken
        self._lock_made = threading.Lock()  # held only while making it
        self._index = AtomicStorage(self.workspace / INDEX, "index", SCHEMA)
        self._open_index()
        for folder in (self.workspace, self.workspace / DATASETS,
                       *[p for p in (self.workspace / DECISIONS).glob("*") if p.is_dir()]):
            clean_temp_files(folder)
        self._datasets = DatasetFiles(self.workspace)
        self._decisions = DecisionFiles(self.workspace, self.annotator, self.session)
        self._summaries = SummaryCache(self.workspace)

    # -- lifecycle ------------------------------------------------------------------------
    def locked(self):
        """The workspace lock, shared by processes, around every read-modify-write."""
        with self._lock_made:
            if self._lock is None:
                # Deferred for start-up time: filelock's import costs ~25 ms, and opening a
                # workspace that exists takes no lock.
                from filelock import FileLock

                self._lock = FileLock(str(self.workspace / LOCK), timeout=self._lock_timeout)
        return Locked(self._lock, self.workspace, self._index)

    def _open_index(self) -> None:
        path = self.workspace / INDEX
        if not path.exists():  # new or schema 1 workspace: create under the lock, once
            with self.locked():
                if not path.exists() and (self.workspace / migrate.LEGACY).exists():
                    migrate.from_v1(self)
                elif not path.exists():
                    self._index.write(self._index.fresh())
        schema = self._index.fresh()["_dynotui"]["1"].get("schema")
        if not isinstance(schema, int) or schema > SCHEMA:
            raise StoreError(f"Workspace {self.workspace} has store schema {schema!r}; this "
                             f"dynotui reads schema {SCHEMA} and older.",
                             "Upgrade dynotui, or choose another --workspace.")
        if schema < SCHEMA:
            with self.locked():
                migrate.upgrade(self, schema)

    @serial
    def close(self) -> None:
        self._decisions.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @serial
    def stats_tally(self, annotator: str | None = None) -> tuple[Tally, list[StoreError]]:
        """What statistics need without loading every proposal: counts over the live proposals
        with their status for `annotator`, and the problems of every store file (summary.py)."""
        self._decisions.refresh()
        with gc_paused():
            tally, problems = self._summaries.tally(self._datasets, self._decisions.ledger,
                                                    annotator or self.annotator)
        return tally, problems + [*self._decisions.broken.values(),
                                  *self._decisions.damaged.values()]

    @serial
    def live_ids(self, annotator: str | None = None, drop: str | None = None) -> list[str]:
        """live_proposals()' ids from the statistics cache (no file parsed again), less those
        whose status for `annotator` ("*": anyone's latest) is `drop`."""
        self._decisions.refresh()
        ledger, who = self._decisions.ledger, annotator or self.annotator
        with gc_paused():
            ids = self._summaries.live_ids(self._datasets, ledger)
        return [pid for pid in ids if drop is None or pid not in ledger.by_pid
                or ledger.status(pid, who) != drop]

    @serial
    def save_summaries(self) -> None:
        """Bring the statistics cache up to date from the proposals read or written here (a big
        import calls it, so the next `stats` need not parse them again)."""
        with gc_paused():
            self._summaries.update(self._datasets)

    @property
    @serial
    def problems(self) -> list[StoreError]:
        """Files that could not be read, or were read with events lost or records skipped
        (all left untouched); everything else works."""
        self._datasets.refresh()
        self._decisions.refresh()
        return [*self._datasets.broken.values(), *self._datasets.damaged.values(),
                *self._decisions.broken.values(), *self._decisions.damaged.values()]

    # -- dataset metadata -----------------------------------------------------------------
    @serial
    def save_meta(self, meta: DatasetMeta) -> None:
        with self.locked():
            self._datasets.save_meta(meta)

    @serial
    def load_meta(self, key: str) -> DatasetMeta | None:
        return self._datasets.meta(key)

    @serial
    def dataset_keys(self) -> list[str]:
        return self._datasets.keys()

    @serial
    def metas(self) -> dict[str, DatasetMeta]:
        """Every cached DatasetMeta by key (one directory scan)."""
        self._datasets.refresh()
        return {k: m for metas in self._datasets.meta_of.values() for k, m in metas.items()}

    # -- proposals ------------------------------------------------------------------------
    @serial
    def add_proposals(self, props: list[Proposal]) -> list[Proposal]:
        """Store the proposals not stored yet (by content-hash id); durable on return."""
        if not props:
            return []
        with self.locked(), gc_paused():
            return self._datasets.add(list(props))

    @serial
    def replace_proposals(self, props: list[Proposal]) -> None:
        """Keep another copy (same id: same content) of stored proposals (dynotui sync)."""
        if props:
            with self.locked():
                self._datasets.replace(list(props))

    @serial
    def proposals(self, dataset: str | None = None) -> list[Proposal]:
        return self._datasets.proposals(dataset)

    @serial
    def live_proposals(self, dataset: str | None = None) -> list[Proposal]:
        """The proposals that count (stats, export, decide, review): all but versions whose
        edit was undone (an edit made again brings its version back)."""
        self._decisions.refresh()
        ledger = self._decisions.ledger
        return [p for p in self.proposals(dataset) if not (p.parent and ledger.retracted(p.id))]

    @serial
    def retracted(self) -> set[str]:
        """Ids of versions whose edit was undone (kept on file, counted nowhere)."""
        self._decisions.refresh()
        ledger = self._decisions.ledger
        return {pid for pid in ledger.edits if ledger.retracted(pid)}

    @serial
    def proposal(self, pid: str) -> Proposal:
        prop = self._datasets.props.get(pid)
        if prop is None:
            self._datasets.refresh()
            prop = self._datasets.props.get(pid)
        if prop is None:
            raise StoreError(f"No proposal with id {pid!r} in {self.workspace}.",
                             "List ids with `dynotui stats` or check --workspace.")
        return prop

    @serial
    def find(self, prefix: str) -> Proposal:
        """The one proposal whose id starts with `prefix`."""
        self._datasets.refresh()
        hits = [pid for pid in self._datasets.props if pid.startswith(prefix)]
        if len(hits) != 1:
            what = "No proposal id starts" if not hits else f"{len(hits)} proposal ids start"
            raise StoreError(f"{what} with {prefix!r} in {self.workspace}.",
                             "Give more characters of the id." if hits else
                             "Check the id and --workspace.")
        return self._datasets.props[hits[0]]

    @serial
    def ids(self) -> set[str]:
        """Ids of all stored proposals."""
        self._datasets.refresh()
        return set(self._datasets.props)

    @serial
    def count_proposals(self) -> int:
        self._datasets.refresh()
        return len(self._datasets.props)

    # -- decisions ------------------------------------------------------------------------
    @serial
    def decide(self, pid: str, action: str, reason: str = "", note: str = "",
               seconds: float = 0.0, role: str = "") -> Decision:
        """Record a decision; it is on disk (fsynced) when this returns."""
        return self.decide_many([pid], action, reason, note, seconds, role)[0]

    @serial
    def decide_many(self, pids: list[str], action: str, reason: str = "", note: str = "",
                    seconds: float = 0.0, role: str = "") -> list[Decision]:
        """The same decision on several proposals in one write: all durable on return, or none."""
        if action not in DECIDE_ACTIONS:
            raise StoreError(f"Unknown action {action!r}.",
                             f"Use one of: {', '.join(DECIDE_ACTIONS)} (edit and undo have "
                             "their own commands).")
        props = [self.proposal(pid) for pid in pids]
        events = [self._decisions.new_event(proposal=p.id, action=action, reason=reason, note=note,
                                            seconds=float(seconds), dataset=p.dataset, role=role)
                  for p in props]
        self._decisions.append(events)
        return events

    @serial
    def edit(self, pid: str, task: Task, seconds: float = 0.0,
             verdicts: list | None = None, role: str = "") -> Proposal:
        """Store the edited task as a new version and accept it; the old one becomes `edited`."""
        old = self.proposal(pid)
        new = Proposal(dataset=old.dataset, task=task, config=old.config, split=old.split,
                       revision=old.revision, variant="edit", prompt_version=old.prompt_version,
                       model=old.model, source="edit", verdicts=list(verdicts or []),
                       parent=old.id, version=old.version + 1, task_name=old.task_name,
                       stage=old.stage)
        if new.id == old.id:  # nothing changed: an edit that keeps the task is an accept
            self.decide(old.id, "accept", seconds=seconds, role=role)
            return old
        self.add_proposals([new])
        new = self.proposal(new.id)
        pair = [self._decisions.new_event(proposal=old.id, action="edit", edited=new.id,
                                          seconds=float(seconds), dataset=old.dataset, role=role),
                self._decisions.new_event(proposal=new.id, action="accept", dataset=new.dataset,
                                          role=role)]
        self._decisions.append(pair)  # one write: both or neither
        return new

    @serial
    def undo(self) -> Decision | None:
        """Cancel this annotator's latest event not yet undone (an edit with its accept)."""
        self._decisions.refresh()
        latest = self._decisions.undoable()
        if not latest:
            return None
        targets = latest[:1]
        if len(latest) > 1 and latest[1].action == "edit" and latest[1].edited == latest[0].proposal:
            targets.append(latest[1])
        undos = [self._decisions.new_event(proposal=t.proposal, action="undo", target=t.id,
                                           dataset=t.dataset) for t in targets]
        self._decisions.append(undos)
        return undos[-1]

    @serial
    def events(self, pid: str | None = None) -> list[Decision]:
        self._decisions.refresh()
        events = self._decisions.all
        if pid is not None:
            events = [e for e in events if e.proposal == pid]
        return sorted(events, key=lambda e: (e.ts, e.id))

    @serial
    def events_after(self, mark: tuple[int, int] | None) -> tuple[tuple[int, int], list | None]:
        """(new mark, events read since `mark`) in arrival order, from every process; the
        events are None when there is no usable mark (the files were re-read from scratch):
        then the caller reloads. Reads only what was appended since the last look."""
        self._decisions.refresh()
        files = self._decisions
        now = (files.epoch, len(files.all))
        if mark is None or mark[0] != files.epoch or mark[1] > len(files.all):
            return now, None
        return now, files.all[mark[1]:]

    @serial
    def proposals_in(self, paths: list[Path]) -> list[Proposal]:
        """The proposals stored in these dataset files (only changed files are parsed again)."""
        self._datasets.refresh()
        files = self._datasets
        return [files.props[pid] for path in paths for pid in files.pids_of.get(path, ())]

    @serial
    def standing(self, pids: set[str], annotator: str
                 ) -> tuple[dict[str, str], dict[str, bool], dict[str, dict[str, str]]]:
        """({pid: `annotator`'s status}, {pid: flagged by anyone}, {pid: {other annotator:
        status}}) for `pids`, from one read of the decision files (not one per proposal)."""
        self._decisions.refresh()
        ledger = self._decisions.ledger
        known = ledger.by_pid
        statuses = {pid: ledger.status(pid, annotator) if pid in known else "undecided"
                    for pid in pids}
        flagged = {pid: pid in known and ledger.flagged(pid) for pid in pids}
        return statuses, flagged, self.others(annotator, pids)

    @serial
    def others(self, annotator: str | None = None,
               pids: set[str] | None = None) -> dict[str, dict[str, str]]:
        """{proposal: {annotator: status}}: what everyone but `annotator` decided last."""
        self._decisions.refresh()
        ledger, me = self._decisions.ledger, annotator or self.annotator
        out: dict[str, dict[str, str]] = {}
        undone = ledger.undone
        for pid in ledger.by_pid if pids is None else pids:
            latest: dict[str, str] = {}
            for e in ledger.by_pid.get(pid, ()):  # in (ts, id) order: the last one stands
                if e.annotator != me and e.action in STATUS_OF and e.id not in undone:
                    latest[e.annotator] = STATUS_OF[e.action]
            if latest or pids is not None:
                out[pid] = latest
        return out

    @serial
    def annotators(self) -> list[str]:
        self._decisions.refresh()
        return sorted(self._decisions.ledger.annotators())

    # -- derived state --------------------------------------------------------------------
    @serial
    def status(self, pid: str, annotator: str | None = None) -> str:
        """undecided|accepted|rejected|skipped|edited for `annotator` (default: this one;
        "*": the latest decision of anyone)."""
        self._decisions.refresh()
        return self._decisions.ledger.status(pid, annotator or self.annotator)

    @serial
    def statuses(self, annotator: str | None = None) -> dict[str, str]:
        self._decisions.refresh()
        self._datasets.refresh()
        ledger, who = self._decisions.ledger, annotator or self.annotator
        return {pid: ledger.status(pid, who) if pid in ledger.by_pid else "undecided"
                for pid in self._datasets.props}

    @serial
    def undecided(self, dataset: str | None = None, annotator: str | None = None) -> list[Proposal]:
        """The review queue: proposals this annotator has not decided, oldest first."""
        self._decisions.refresh()
        ledger, who = self._decisions.ledger, annotator or self.annotator
        props = [p for p in self.live_proposals(dataset)
                 if p.id not in ledger.by_pid or ledger.status(p.id, who) == "undecided"]
        return sorted(props, key=lambda p: p.created)

    @serial
    def is_flagged(self, pid: str, annotator: str | None = None) -> bool:
        """Flagged by anyone (or by `annotator`) and not unflagged since."""
        self._decisions.refresh()
        return self._decisions.ledger.flagged(pid, annotator)

    @serial
    def flagged(self, annotator: str | None = None) -> set[str]:
        """Ids of proposals flagged by anyone (or by `annotator`) and not unflagged since."""
        self._decisions.refresh()
        ledger = self._decisions.ledger
        return {pid for pid in ledger.by_pid if ledger.flagged(pid, annotator)}

    @serial
    def accepted(self, policy: str = "any", annotator: str | None = None) -> list[Proposal]:
        """Accepted proposals: by one annotator, or combining all by a policy."""
        if policy not in POLICIES:
            raise StoreError(f"Unknown policy {policy!r}.", f"Use one of: {', '.join(POLICIES)}.")
        self._decisions.refresh()
        ledger = self._decisions.ledger
        return [p for p in self.live_proposals() if p.id in ledger.by_pid
                and ledger.accepted(p.id, policy, annotator)]
