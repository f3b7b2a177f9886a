"""Proposals from checked tasks: ids, the split shown, token and cost shares."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dynotui.core.generation.prompts import PROMPT_VERSION
from dynotui.core.generation.validate import Checked
from dynotui.core.models import DatasetMeta, Proposal, Verdict, content_hash


def shown_split(meta: DatasetMeta) -> str | None:
    """The split whose rows the prompt showed (as DatasetMeta.sample_rows picks it)."""
    for split in ("train", "validation", *meta.rows):
        if meta.rows.get(split):
            return split
    return meta.ref.split


def _record_id(meta: DatasetMeta, checked: Checked, salt: list[Any], taken: set[str]) -> str:
    """The task's content hash; empty tasks and ids already taken (duplicates) get a salted id
    so that the record is kept beside the original."""
    base = content_hash(meta.ref.id, meta.ref.config, meta.revision, checked.task)
    if checked.task.instruction and base not in taken:
        return base
    return base[:8] + "-" + hashlib.sha256(json.dumps(salt, default=str).encode()).hexdigest()[:8]


def build_proposals(meta: DatasetMeta, variant: str, answer, checked: list[Checked],
                    temperature: float, cost: float, started: float,
                    taken: set[str] | None = None, cut_matters: bool = True) -> list[Proposal]:
    """One Proposal per checked item; `taken` (ids in the workspace) grows with the new ids."""
    taken = taken if taken is not None else set()
    n = max(1, len(checked))
    props = []
    for i, item in enumerate(checked):
        verdicts = list(item.verdicts)
        if answer.finish_reason == "length" and cut_matters:
            verdicts.append(Verdict("truncated_answer", False,
                                    "the answer was cut off at max_tokens", "warning"))
        salt = [variant, answer.model, PROMPT_VERSION[variant], answer.text, i]
        prop = Proposal(
            dataset=meta.ref.id, task=item.task, config=meta.ref.config, split=shown_split(meta),
            revision=meta.revision, variant=variant, prompt_version=PROMPT_VERSION[variant],
            model=answer.model, temperature=temperature, source="llm", verdicts=verdicts,
            raw_answer=answer.text, tokens_in=answer.tokens_in // n + (answer.tokens_in % n if i == 0 else 0),
            tokens_out=answer.tokens_out // n + (answer.tokens_out % n if i == 0 else 0),
            cost_usd=cost / n, seconds=answer.seconds, created=started,
            id=_record_id(meta, item, salt, taken))
        taken.add(prop.id)
        props.append(prop)
    return props
