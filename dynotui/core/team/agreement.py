"""Inter-annotator agreement on accept/reject, shared by `dynotui agreement` and Stats.

Items are proposal families (outcomes.py); an annotator's label is accept (accept or edit) or
reject. Per pair: the items both decided, percent agreement and Cohen's kappa; over everyone:
Krippendorff's alpha (nominal, the `krippendorff` package); and the reject reasons most often
met by a different decision.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Iterable

from dynotui.core.team.outcomes import Family, families

NO_REASON = "(no reason)"


def percent_agreement(a: list[str], b: list[str]) -> float | None:
    return sum(x == y for x, y in zip(a, b)) / len(a) if a else None


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """(p_o - p_e) / (1 - p_e); None when chance agreement is 1 (one label for both)."""
    n = len(a)
    if not n:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in set(ca) | set(cb)) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(rows: list[list[str | None]]) -> float | None:
    """Nominal alpha over annotators x items (None = not decided); None when undefined
    (fewer than two values overall, or no item decided by two people)."""
    import numpy as np

    import krippendorff

    codes = {"accept": 1.0, "reject": 0.0}
    data = np.array([[codes[v] if v in codes else np.nan for v in row] for row in rows],
                    dtype=float)
    if data.size == 0 or len(set(data[~np.isnan(data)].tolist())) < 2:
        return None
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return None
    value = krippendorff.alpha(reliability_data=data[:, pairable],
                               level_of_measurement="nominal")
    return None if value != value else float(value)  # NaN: undefined


def _reasons(fams: list[Family]) -> list[dict[str, Any]]:
    """Per reject reason: how often it was used, and how often another annotator on the same
    proposal accepted it or rejected it for another reason."""
    used: Counter[str] = Counter()
    against_accept: Counter[str] = Counter()
    against_reason: Counter[str] = Counter()
    for family in fams:
        votes = list(family.votes.values())
        for vote in votes:
            if vote.label == "reject":
                used[vote.reason or NO_REASON] += 1
        for x, y in combinations(votes, 2):
            for one, other in ((x, y), (y, x)):
                if one.label != "reject":
                    continue
                reason = one.reason or NO_REASON
                if other.label == "accept":
                    against_accept[reason] += 1
                elif (other.reason or NO_REASON) != reason:
                    against_reason[reason] += 1
    rows = [{"reason": r, "disputed": against_accept[r] + against_reason[r],
             "against_accept": against_accept[r], "against_other_reason": against_reason[r],
             "used": used[r]} for r in used]
    rows.sort(key=lambda row: (-row["disputed"], -row["used"], row["reason"]))
    return rows


def summary(fams: dict[str, Family]) -> dict[str, Any]:
    """Agreement figures from families (see compute)."""
    voted = [f for f in fams.values() if f.votes]
    names = sorted({a for f in voted for a in f.votes})
    pairs = []
    for a, b in combinations(names, 2):
        both = [f for f in voted if a in f.votes and b in f.votes]
        la = [f.votes[a].label for f in both]
        lb = [f.votes[b].label for f in both]
        pct, kappa = percent_agreement(la, lb), cohen_kappa(la, lb)
        pairs.append({"a": a, "b": b, "both": len(both),
                      "agree": sum(x == y for x, y in zip(la, lb)),
                      "percent": None if pct is None else round(pct, 4),
                      "kappa": None if kappa is None else round(kappa, 4)})
    multi = [f for f in voted if len(f.votes) > 1]
    rows = [[f.votes[a].label if a in f.votes else None for f in multi] for a in names]
    alpha = krippendorff_alpha(rows) if multi else None
    conflicts = [f for f in voted if f.conflict]
    return {
        "annotators": names,
        "items": len(voted),
        "shared_items": len(multi),
        "pairs": pairs,
        "alpha": None if alpha is None else round(alpha, 4),
        "reasons": _reasons(multi),
        "conflicts": {"open": sum(f.settled is None for f in conflicts),
                      "settled": sum(f.settled is not None for f in conflicts)},
    }


def compute(store: Any, adjudicators: Iterable[str] = ()) -> dict[str, Any]:
    """Agreement over the workspace: annotators, items decided, per-pair figures, alpha,
    disputed reasons and how many conflicts are open or settled."""
    judges = sorted(set(adjudicators))
    data = summary(families(store, judges))
    data["adjudicators"] = judges
    return data
