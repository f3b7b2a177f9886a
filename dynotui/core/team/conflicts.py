"""Disagreements between annotators, and the `adjudicated` export policy that settles them.

A conflict is a family (outcomes.py) whose annotators' votes put different things in the
export: one accepts, another rejects, or two accept different edits. An adjudicator's latest
decision in the family settles it: accept (of any version) exports that version, reject
exports nothing. Families nobody adjudicated follow `majority`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from dynotui.core.models import Proposal
from dynotui.core.team.outcomes import Family, families


@dataclass
class Conflict:
    family: Family
    proposal: Proposal  # the version the family started from
    versions: list[Proposal]  # every live version, oldest first

    @property
    def settled(self) -> bool:
        return self.family.settled is not None

    def to_dict(self) -> dict[str, Any]:
        by_id = {p.id: p for p in self.versions}
        votes = []
        for vote in sorted(self.family.votes.values(), key=lambda v: v.annotator):
            row = vote.to_dict()
            if vote.edited and vote.edited in by_id:
                row["edit"] = by_id[vote.edited].task.to_dict()
            votes.append(row)
        settled = self.family.settled
        return {"id": self.proposal.id, "dataset": self.proposal.dataset,
                "config": self.proposal.config, "task": self.proposal.task.to_dict(),
                "versions": [p.id for p in self.versions], "votes": votes,
                "settled": settled.to_dict() if settled else None}


def conflicts(store: Any, adjudicators: Iterable[str] = (),
              include_settled: bool = False) -> list[Conflict]:
    """Families annotators disagree on (open ones only unless include_settled), oldest first."""
    props = {p.id: p for p in store.live_proposals()}
    out = []
    for family in families(store, adjudicators).values():
        if not family.conflict or (family.settled is not None and not include_settled):
            continue
        versions = [props[pid] for pid in family.versions if pid in props]
        if versions:
            out.append(Conflict(family, props.get(family.root, versions[0]), versions))
    out.sort(key=lambda c: (c.proposal.created, c.proposal.id))
    return out


def conflict_ids(store: Any, adjudicators: Iterable[str] = ()) -> list[str]:
    """Ids of every live version in an open conflict (the Review screen's conflicts queue)."""
    return [p.id for c in conflicts(store, adjudicators) for p in c.versions]


def adjudicated(store: Any, adjudicators: Iterable[str] = ()) -> list[Proposal]:
    """Accepted proposals under the `adjudicated` policy: what the adjudicator decided where
    one did, `majority` everywhere else."""
    fams = families(store, adjudicators)
    chosen: set[str] = set()
    open_versions: set[str] = set()
    for family in fams.values():
        if family.settled is None:
            open_versions.update(family.versions)
        elif family.settled.label == "accept":
            chosen.add(family.settled.version)
    majority = {p.id for p in store.accepted("majority")}
    chosen |= majority & open_versions
    return [p for p in store.live_proposals() if p.id in chosen]
