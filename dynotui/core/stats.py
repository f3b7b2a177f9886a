"""Workspace statistics, shared by `dynotui stats` and the TUI's stats screen."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from dynotui.core.growth.log import stage_summaries
from dynotui.core.store.state import ALL, STATUSES

DECIDED = ("accepted", "rejected", "edited")


def _blank() -> dict[str, Any]:
    return {"proposals": 0, "valid": 0, **{s: 0 for s in STATUSES}}


def _acceptance(counts: dict[str, int]) -> float | None:
    decided = sum(counts.get(s, 0) for s in DECIDED)
    return round(counts.get("accepted", 0) / decided, 4) if decided else None


def _near(store, settings: Any, near: bool) -> dict[str, Any] | None:
    if not near and not any(Path(store.workspace).glob("embeddings/*/groups-*.json")):
        return None  # no groups on file: no need to load numpy (0.3 s) to say so
    from dynotui.core.embed import near_duplicate_stats  # numpy: stats without it stay light

    return near_duplicate_stats(store, settings, compute=near)


def compute(store, annotator: str | None = None, near: bool = False,
            settings: Any = None) -> dict[str, Any]:
    """Counts by status (for `annotator`, default: the latest decision of anyone), dataset,
    source model, prompt variant and source; decisions, time, duplicates, tokens, cost.
    duplicates.near: near-duplicate groups on file (near=True: computed, loads the model)."""
    who = annotator or ALL
    # counts cached per dataset file (store/summary.py), not Proposal objects: 100k in well
    # under a second
    tally, problems = store.stats_tally(who)
    by_status: Counter[str] = Counter()
    groups: dict[str, dict[str, dict[str, Any]]] = {
        "datasets": {}, "by_model": {}, "by_variant": {}, "by_source": {}}
    for (dataset, model, variant, source, valid, st), n in tally.groups.items():
        by_status[st] += n
        for name, key in (("datasets", dataset), ("by_model", model or "(none)"),
                          ("by_variant", variant or "(none)"), ("by_source", source or "(none)")):
            row = groups[name].get(key)
            if row is None:
                row = groups[name][key] = _blank()
            row["proposals"] += n
            row["valid"] += n * valid
            row[st] += n
    proposals = sum(by_status.values())
    tokens_in, tokens_out, cost = tally.tokens_in, tally.tokens_out, tally.cost
    errors, warnings, rules, instructions = (tally.errors, tally.warnings, tally.rules,
                                             tally.instructions)
    for rows in groups.values():
        for row in rows.values():
            row["acceptance_rate"] = _acceptance(row)
            row["checks_rate"] = round(row["valid"] / row["proposals"], 4)  # passing the checks
    events = store.events()
    undone = {e.target for e in events if e.action == "undo"}
    live = [e for e in events if e.action != "undo" and e.id not in undone]
    seconds = [e.seconds for e in live if e.seconds > 0 and e.action not in ("flag", "unflag")]
    repeated = [n for n in instructions.values() if n > 1]
    flagged = len(store.flagged())
    return {
        "proposals": proposals,
        "annotator": annotator or "(all: latest decision)",
        "by_status": {s: by_status.get(s, 0) for s in STATUSES},
        "acceptance_rate": _acceptance(by_status),
        "flagged": flagged,
        "valid": proposals - errors,
        "with_errors": errors,
        "with_warnings": warnings,
        "verdicts": dict(rules.most_common()),
        "dataset_count": len(groups["datasets"]),
        **groups,
        "decisions": {
            "events": len(events),
            "by_action": dict(Counter(e.action for e in live).most_common()),
            "undone": len(undone),
            "by_annotator": dict(Counter(e.annotator for e in live).most_common()),
            "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
        },
        "duplicates": {"exact": sum(repeated), "exact_groups": len(repeated),
                       "near": _near(store, settings, near)},
        "tokens": {"in": tokens_in, "out": tokens_out, "total": tokens_in + tokens_out},
        "cost_usd": round(cost, 6),
        "generations": len(store.generations()),
        "stages": store.stages(),
        "crawl_stages": _crawl_stages(store),
        "problems": [str(p) for p in problems],
    }


def _crawl_stages(store: Any) -> list[dict[str, Any]]:
    """Per crawl stage: date, query, seen, skipped by reason, queued, generated (crawllog.py)."""
    return stage_summaries(store.workspace)
