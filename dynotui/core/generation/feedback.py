"""Regenerate with reasons: a dataset's rejected proposals, with the reviewer's reasons and
notes (or the checks' errors), sent back to the model ("these were rejected because ...;
propose different tasks"). The cache key includes their fingerprint, so the same feedback
is asked once and new feedback asks again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dynotui.core.models import DatasetMeta
from dynotui.core.store.state import ALL

MAX_ITEMS = 6
# reasons that blame the choice of fields, not the wording: the schema variant drops the skeleton
FIELD_REASONS = ("wrong or trivial output field", "input does not determine output",
                 "metadata task", "labels imbalanced", "duplicate")


def rejections(store: Any, meta: DatasetMeta, limit: int = MAX_ITEMS) -> list[dict[str, Any]]:
    """The dataset config's rejected proposals, newest first: reviewer rejections (reason and
    note of the latest reject), then proposals the checks rejected (their error reasons)."""
    props = [p for p in store.live_proposals(meta.ref.id)
             if (p.config or None) == (meta.ref.config or None) and p.task.instruction.strip()]
    statuses = store.statuses(ALL)
    reviewed, checked = [], []
    for p in sorted(props, key=lambda p: -p.created):
        if statuses.get(p.id) == "rejected":
            rejects = [e for e in store.events(p.id) if e.action == "reject"]
            last = rejects[-1] if rejects else None
            why = "; ".join(x for x in ((last.reason, last.note) if last else ()) if x) \
                or "rejected by the reviewer"
            reviewed.append(_item(p, why, "reviewer"))
        elif not p.valid and statuses.get(p.id, "undecided") == "undecided":
            checked.append(_item(p, "; ".join(v.reason or v.rule for v in p.errors), "checks"))
    out, seen = [], set()
    for item in reviewed + checked:
        key = (item["instruction"], item["output_field"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:limit]


def _item(p: Any, why: str, by: str) -> dict[str, Any]:
    lower = why.lower()
    return {"instruction": p.task.instruction.strip(), "input_fields": list(p.task.input_fields),
            "output_field": p.task.output_field, "why": why, "by": by,
            "fields_wrong": any(r in lower for r in FIELD_REASONS)}


def fingerprint(rejected: list[dict[str, Any]]) -> str:
    """A short hash of what is sent back ('' for none): part of the cache key."""
    if not rejected:
        return ""
    shown = [[r["instruction"], r["input_fields"], r["output_field"], r["why"]] for r in rejected]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()[:12]


def prompt_note(rejected: list[dict[str, Any]]) -> str:
    """The paragraph appended to a Dynosaur prompt's last turn."""
    lines = [f"- \"{r['instruction'][:200]}\" (input {r['input_fields']}, output "
             f"'{r['output_field']}'): rejected because {r['why'][:200]}" for r in rejected]
    return ("\n\nThese tasks were proposed before and rejected:\n" + "\n".join(lines)
            + "\nPropose different tasks that avoid these problems.")
