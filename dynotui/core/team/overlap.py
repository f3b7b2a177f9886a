"""`overlap = N`: spread a review queue over a team without coordination.

Each annotator's queue shows first the proposals fewer than N people have decided (those one
or more have, so they reach N sooner), and leaves out the ones N others already decided (a family counts once: deciding a proposal or an edit of
it is deciding it). Within each dataset every annotator starts at a different place (from a
hash of their name), so people working at the same time rarely take the same proposal.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable

from dynotui.core.models import Proposal
from dynotui.core.team.outcomes import build


def _offset(annotator: str, dataset: str, n: int) -> int:
    digest = hashlib.sha256(f"{annotator}\0{dataset}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % n if n else 0


def arrange(proposals: list[Proposal], events: list, annotator: str, overlap: int,
            statuses: dict[str, str], adjudicators: Iterable[str] = ()) -> list[Proposal]:
    """The queue order for `annotator`: open proposals first (those someone decided before
    those nobody did; each dataset rotated to this annotator's starting place), then those
    this annotator decided; proposals already
    decided by `overlap` others and not by this annotator are left out."""
    if overlap <= 0:
        return list(proposals)
    fams = build(proposals, events, adjudicators)
    others: dict[str, int] = {}
    for family in fams.values():
        count = sum(1 for who in family.votes if who != annotator)
        for pid in family.versions:
            others[pid] = count
    open_groups: dict[str, list[Proposal]] = {}
    mine: list[Proposal] = []
    for p in proposals:
        if statuses.get(p.id, "undecided") != "undecided":
            mine.append(p)
        elif others.get(p.id, 0) < overlap:
            open_groups.setdefault(p.dataset, []).append(p)
    partial: list[Proposal] = []  # decided by someone, not by enough people yet: first
    untouched: list[Proposal] = []
    for dataset, group in open_groups.items():
        start = _offset(annotator, dataset, len(group))
        for p in group[start:] + group[:start]:
            (partial if others.get(p.id, 0) else untouched).append(p)
    return partial + untouched + mine


def store_arrange(store: Any, proposals: list[Proposal], annotator: str, overlap: int,
                  statuses: dict[str, str], adjudicators: Iterable[str] = ()) -> list[Proposal]:
    """arrange() with the events read from the store."""
    if overlap <= 0:
        return list(proposals)
    return arrange(proposals, store.events(), annotator, overlap, statuses, adjudicators)
