"""Current state derived from decision events: status per annotator, flags, policies.

Events are never changed; an `undo` event cancels its target, so undo is unlimited and the
history stays auditable. Order is (ts, id).
"""

from __future__ import annotations

from dynotui.core.models import Decision

STATUS_OF = {"accept": "accepted", "reject": "rejected", "skip": "skipped", "edit": "edited"}
STATUSES = ("undecided", "accepted", "rejected", "skipped", "edited")
POLICIES = ("any", "majority", "unanimous", "latest")
DECISIVE = frozenset(STATUS_OF)
FLAGS = frozenset(("flag", "unflag"))
ALL = "*"  # annotator wildcard: the latest decision of anyone


def order(event: Decision) -> tuple[float, str]:
    return (event.ts, event.id)


class Ledger:
    """All known events, indexed by proposal; answers status questions from them."""

    def __init__(self) -> None:
        self.by_pid: dict[str, list[Decision]] = {}
        self.undone: set[str] = set()
        self.edits: dict[str, list[str]] = {}  # version id -> ids of the edit events that made it
        self.ids: set[str] = set()
        self.count = 0

    def add(self, event: Decision) -> None:
        if event.id in self.ids:
            return
        self.ids.add(event.id)
        self.count += 1
        if event.action == "undo":
            if event.target:
                self.undone.add(event.target)
            return
        if event.action == "edit" and event.edited:
            self.edits.setdefault(event.edited, []).append(event.id)
        events = self.by_pid.setdefault(event.proposal, [])
        events.append(event)
        if len(events) > 1 and order(events[-2]) > order(event):
            events.sort(key=order)  # another process's older event arrived late

    def effective(self, pid: str) -> list[Decision]:
        return [e for e in self.by_pid.get(pid, ()) if e.id not in self.undone]

    def retracted(self, pid: str) -> bool:
        """A version whose every edit was undone, not decided on since: no longer a proposal."""
        made_by = self.edits.get(pid)
        return bool(made_by) and all(e in self.undone for e in made_by) and not self.effective(pid)

    def latest(self, pid: str, annotator: str | None) -> dict[str, Decision]:
        """Latest effective decisive event per annotator (annotator=None: all of them)."""
        out: dict[str, Decision] = {}
        for event in self.effective(pid):
            if event.action in DECISIVE and (annotator in (None, ALL) or event.annotator == annotator):
                out[event.annotator] = event
        return out

    def status(self, pid: str, annotator: str) -> str:
        latest = self.latest(pid, annotator)
        if not latest:
            return "undecided"
        return STATUS_OF[max(latest.values(), key=order).action]

    def flagged(self, pid: str, annotator: str | None = None) -> bool:
        state: dict[str, bool] = {}
        for event in self.effective(pid):
            if event.action in FLAGS and annotator in (None, ALL, event.annotator):
                state[event.annotator] = event.action == "flag"
        return any(state.values())

    def accepted(self, pid: str, policy: str, annotator: str | None) -> bool:
        if annotator not in (None, ALL):
            return self.status(pid, annotator) == "accepted"
        return combine(list(self.latest(pid, None).values()), policy)

    def annotators(self) -> set[str]:
        return {e.annotator for events in self.by_pid.values() for e in events}


def combine(latest: list[Decision], policy: str) -> bool:
    """Several annotators' latest decisions on one proposal -> accepted? Skips abstain."""
    votes = [e for e in latest if e.action != "skip"]
    accepts = sum(e.action == "accept" for e in votes)
    if policy == "any":
        return accepts > 0
    if policy == "majority":
        return accepts * 2 > len(votes)
    if policy == "unanimous":
        return bool(votes) and accepts == len(votes)
    if policy == "latest":
        return bool(votes) and max(votes, key=order).action == "accept"
    raise ValueError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
