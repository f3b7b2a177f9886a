"""Who decided what on each proposal family: the votes agreement, conflicts, overlap and the
`adjudicated` export policy are computed from.

A family is a proposal and the versions made from it by editing (linked by `parent`). Each
annotator has at most one vote per family: their latest accept, reject or edit in it (an edit
is an accept of the new version; a skip withdraws the vote). Decisions marked
`role="adjudicator"`, or made by a configured adjudicator, are not votes: the latest of them
settles the family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from dynotui.core.models import Decision, Proposal

ADJUDICATOR = "adjudicator"
VOTING = ("accept", "reject", "edit", "skip")


@dataclass
class Vote:
    annotator: str
    label: str  # "accept" | "reject"
    version: str  # the id accepted, or the id rejected
    reason: str = ""
    note: str = ""
    edited: str | None = None  # the version this annotator made by editing
    ts: float = 0.0

    @property
    def outcome(self) -> tuple[str, str | None]:
        """What this vote puts in the export: one version, or nothing."""
        return (self.label, self.version if self.label == "accept" else None)

    def to_dict(self) -> dict[str, Any]:
        return {"annotator": self.annotator, "decision": self.label, "version": self.version,
                "reason": self.reason, "note": self.note, "edited": self.edited}


@dataclass
class Family:
    root: str
    versions: list[str] = field(default_factory=list)  # live ids, oldest first
    votes: dict[str, Vote] = field(default_factory=dict)  # annotator -> vote
    settled: Vote | None = None  # the adjudicator's decision

    @property
    def conflict(self) -> bool:
        """Two or more annotators whose votes put different things in the export."""
        return len(self.votes) > 1 and len({v.outcome for v in self.votes.values()}) > 1


def is_adjudication(event: Decision, adjudicators: Iterable[str] = ()) -> bool:
    return getattr(event, "role", "") == ADJUDICATOR or event.annotator in set(adjudicators)


def families(store: Any, adjudicators: Iterable[str] = ()) -> dict[str, Family]:
    """Every family of live proposals with its votes and adjudication, by root id."""
    return build(store.live_proposals(), store.events(), adjudicators)


def build(props: list[Proposal], events: list[Decision],
          adjudicators: Iterable[str] = ()) -> dict[str, Family]:
    """families() from proposals and (ts, id)-ordered events."""
    judges = set(adjudicators)
    parent = {p.id: p.parent for p in props}
    root_of: dict[str, str] = {}

    def root(pid: str) -> str:
        seen = []
        while pid not in root_of and parent.get(pid) in parent and pid not in seen:
            seen.append(pid)
            pid = parent[pid]  # type: ignore[assignment]
        top = root_of.get(pid, pid)
        for item in seen:
            root_of[item] = top
        return top

    out: dict[str, Family] = {}
    for p in sorted(props, key=lambda p: (p.created, p.version, p.id)):
        out.setdefault(root(p.id), Family(root(p.id))).versions.append(p.id)
    undone = {e.target for e in events if e.action == "undo"}
    for event in events:
        if event.action not in VOTING or event.id in undone or event.proposal not in parent:
            continue
        family = out[root(event.proposal)]
        judge = is_adjudication(event, judges)
        vote = _vote(event, family.settled if judge else family.votes.get(event.annotator))
        if judge:
            family.settled = vote
        elif vote is None:
            family.votes.pop(event.annotator, None)
        else:
            family.votes[event.annotator] = vote
    return out


def _vote(event: Decision, before: Vote | None) -> Vote | None:
    if event.action == "skip":
        return None
    if event.action == "edit":
        return Vote(event.annotator, "accept", event.edited or event.proposal, event.reason,
                    event.note, event.edited, event.ts)
    # the accept an edit writes for its new version keeps saying "edited"
    edited = before.edited if before and event.action == "accept" \
        and before.edited == event.proposal else None
    return Vote(event.annotator, event.action, event.proposal, event.reason, event.note,
                edited, event.ts)
