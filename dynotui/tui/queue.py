"""The review queue: proposals in order, their statuses and the counts shown as progress.

Pure Python and O(1) per decision, so a key press never scans 50k proposals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dynotui.core.models import Proposal

DONE = ("accepted", "rejected", "skipped", "edited")


@dataclass
class Tally:
    """Counts for one scope (a dataset, or everything)."""

    total: int = 0
    by_status: Counter = field(default_factory=Counter)

    @property
    def left(self) -> int:
        return self.by_status["undecided"]

    @property
    def done(self) -> int:
        return self.total - self.left

    @property
    def acceptance(self) -> float | None:
        acc = self.by_status["accepted"] + self.by_status["edited"]
        judged = acc + self.by_status["rejected"]
        return acc / judged if judged else None


class ReviewQueue:
    """Ordered proposals plus derived status; the current position moves, nothing is scanned."""

    def __init__(self, proposals: list[Proposal], statuses: dict[str, str],
                 flagged: set[str] | None = None) -> None:
        # Superseded versions are kept out: their newer version stands in the queue.
        self.items = [p for p in proposals if statuses.get(p.id, "undecided") != "edited"]
        self.index = {p.id: i for i, p in enumerate(self.items)}
        self.status = {p.id: statuses.get(p.id, "undecided") for p in self.items}
        self.flagged = set(flagged or ())
        self.all = Tally()
        self.datasets: dict[str, Tally] = {}
        for p in self.items:
            self._count(p, self.status[p.id], +1)
        self.session = Counter()  # actions taken in this session
        self.problems: list[str] = []  # unreadable store files (their proposals are missing)
        self.team: dict = {}  # conflicts queue: proposal id -> its core.team Conflict
        self.others: dict[str, dict[str, str]] = {}  # pid -> {other annotator: status}
        self.mine_elsewhere: set[str] = set()  # my status here was set in another window
        self._tags: dict[str, str] = {}  # pid -> the strip's "decided elsewhere" tag
        self.mark: tuple[int, int] | None = None  # the store's event position when loaded
        self.files = None  # the dataset files when loaded (core.store.changes.FilesMark)
        self.pos = self.first_undecided()

    def _count(self, p: Proposal, status: str, sign: int) -> None:
        tally = self.datasets.setdefault(p.dataset, Tally())
        for t in (self.all, tally):
            t.total += sign
            t.by_status[status] += sign

    def __len__(self) -> int:
        return len(self.items)

    @property
    def current(self) -> Proposal | None:
        return self.items[self.pos] if 0 <= self.pos < len(self.items) else None

    def first_undecided(self, start: int = 0) -> int:
        """Index of the first undecided proposal at or after `start` (wrapping); -1 if none."""
        n = len(self.items)
        if not n or not self.all.left:
            return 0 if n else -1
        for step in range(n):
            i = (start + step) % n
            if self.status[self.items[i].id] == "undecided":
                return i
        return 0

    def move(self, delta: int) -> Proposal | None:
        if self.items:
            self.pos = max(0, min(len(self.items) - 1, self.pos + delta))
        return self.current

    def go(self, pid: str) -> bool:
        if pid in self.index:
            self.pos = self.index[pid]
            return True
        return False

    def advance(self) -> Proposal | None:
        """Move to the next undecided proposal after the current one (or stay at the end)."""
        if self.all.left:
            self.pos = self.first_undecided(self.pos + 1)
        else:
            self.move(1)
        return self.current

    def set_status(self, pid: str, status: str) -> None:
        if pid not in self.index:
            return
        p = self.items[self.index[pid]]
        old = self.status[pid]
        if old == status:
            return
        for t in (self.all, self.datasets[p.dataset]):
            t.by_status[old] -= 1
            t.by_status[status] += 1
        self.status[pid] = status

    def add(self, proposals: list[Proposal], after: str | None = None,
            statuses: dict[str, str] | None = None) -> int:
        """Add new proposals (after `after`, else at the end); returns how many were new."""
        new = [p for p in proposals if p.id not in self.index]
        if not new:
            return 0
        at = self.index[after] + 1 if after in self.index else len(self.items)
        self.items[at:at] = new
        if at != len(self.items) - len(new):
            self.index = {p.id: i for i, p in enumerate(self.items)}
            if self.pos >= at:
                self.pos += len(new)
        else:
            self.index.update({p.id: at + i for i, p in enumerate(new)})
        for p in new:
            status = (statuses or {}).get(p.id, "undecided")
            self.status[p.id] = status
            self._count(p, status, +1)
        if self.pos < 0:
            self.pos = 0
        return len(new)

    def remove(self, pid: str) -> None:
        """Take a superseded version out (after an edit), keeping the position sensible."""
        if pid not in self.index:
            return
        at = self.index[pid]
        p = self.items.pop(at)
        status = self.status.pop(pid)
        for t in (self.all, self.datasets[p.dataset]):
            t.total -= 1
            t.by_status[status] -= 1
        self.index = {q.id: i for i, q in enumerate(self.items)}
        if self.pos > at or self.pos >= len(self.items):
            self.pos = max(0, self.pos - 1) if self.items else -1

    # -- decided elsewhere ---------------------------------------------------------------------
    def tag(self, pid: str) -> str:
        """Who else decided `pid`, for the queue strip: "bob", "bob+1", "you" (in another
        window, this session), or "". Cached: the strip asks for it on every key press."""
        tag = self._tags.get(pid)
        if tag is None:
            names = (["you"] if pid in self.mine_elsewhere else []) + \
                sorted(self.others.get(pid) or ())
            tag = (names[0] + (f"+{len(names) - 1}" if len(names) > 1 else "")) if names else ""
            self._tags[pid] = tag
        return tag

    def set_others(self, pid: str, latest: dict[str, str]) -> None:
        """Every other annotator's standing decision on `pid` (empty: none)."""
        if latest:
            self.others[pid] = latest
        else:
            self.others.pop(pid, None)
        self._tags.pop(pid, None)

    def decided_elsewhere(self, pid: str, mine: bool) -> None:
        """My own status on `pid` was last set in another window (True) or here (False)."""
        if mine != (pid in self.mine_elsewhere):
            (self.mine_elsewhere.add if mine else self.mine_elsewhere.discard)(pid)
            self._tags.pop(pid, None)

    def insert_new(self, proposals: list[Proposal], statuses: dict[str, str]) -> list[Proposal]:
        """Proposals another process added: each after the last one of its dataset (a new
        dataset at the end), the current proposal staying current. Returns those added."""
        groups: dict[str, list[Proposal]] = {}
        for p in proposals:
            if p.id not in self.index and statuses.get(p.id) != "edited":  # superseded: out
                self.index[p.id] = -1  # taken: a proposal listed twice goes in once
                groups.setdefault(p.dataset, []).append(p)
        if not groups:
            return []
        last: dict[str, int] = {}
        for i, q in enumerate(self.items):
            last[q.dataset] = i
        after: dict[int, list[Proposal]] = {}
        tail: list[Proposal] = []
        for dataset, group in groups.items():
            (after.setdefault(last[dataset], []) if dataset in last else tail).extend(group)
        current = self.current
        items: list[Proposal] = []
        for i, q in enumerate(self.items):
            items.append(q)
            items.extend(after.get(i, ()))
        self.items = items + tail
        self.index = {q.id: i for i, q in enumerate(self.items)}
        added = [p for group in groups.values() for p in group]
        for p in added:
            status = statuses.get(p.id, "undecided")
            self.status[p.id] = status
            self._count(p, status, +1)
        self.pos = self.index[current.id] if current is not None else 0
        return added

    def window(self, size: int) -> list[tuple[int, Proposal, str]]:
        """`size` entries around the current position, for the queue strip."""
        if not self.items:
            return []
        start = max(0, min(self.pos - size // 3, len(self.items) - size))
        return [(i, self.items[i], self.status[self.items[i].id])
                for i in range(start, min(len(self.items), start + size))]
