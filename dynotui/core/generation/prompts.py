"""The two Dynosaur prompt variants (description-aware / -unaware) and the response schema.

Each variant is a chat: a system message with the rules, two worked demonstrations (a demo
dataset's trimmed metadata as a user turn, its tasks as an assistant turn), then the target
dataset's trimmed metadata ending with the allowed field list and the no-overlap rule.
"""

from __future__ import annotations

import json
from typing import Any

from dynotui.core.generation.demos import DEMOS, SCHEMA_DEMO_ANSWER, SCHEMA_DEMO_TASK
from dynotui.core.generation.feedback import prompt_note
from dynotui.core.generation.fieldkinds import name_tokens
from dynotui.core.generation.skeletons import derive, unused_fields
from dynotui.core.generation.variants import ALL_VARIANTS, VARIANTS
from dynotui.core.models import DatasetMeta, Feature

# Bump a variant's version whenever its text or demonstrations change: the cache keys on it.
PROMPT_VERSION = {"aware": "aware-2", "unaware": "unaware-2", "schema": "schema-1"}
MAX_STRING = 1000
PROMPT_ROWS = 2
MAX_TASKS = 3
TASK_KEYS = ("instruction", "input_fields", "output_field")

_ID_TOKENS = {"id", "ids", "uuid", "guid", "idx"}

SYSTEM = {
    "aware": (
        "You turn datasets into instruction-following tasks. You are given a dataset's name, "
        "its description, its fields and two sample rows. Propose up to three different tasks "
        "that a person could solve using the dataset. A task has an \"instruction\" (one or two "
        "sentences addressed to the solver), \"input_fields\" (the fields the solver reads) and "
        "\"output_field\" (the one field the solver must produce). Use only the listed fields; "
        "the output field must not be one of the input fields. Answer with JSON only: "
        "{\"tasks\": [{\"instruction\": ..., \"input_fields\": [...], \"output_field\": ...}]}."),
    "unaware": (
        "You turn datasets into instruction-following tasks. You are given a dataset's name, "
        "its fields and two sample rows (no description). Infer what the data is about from "
        "the fields and the rows, then propose up to three different tasks. A task has an "
        "\"instruction\" (one or two sentences addressed to the solver), \"input_fields\" (the "
        "fields the solver reads) and \"output_field\" (the one field the solver must produce). "
        "Use only the listed fields; the output field must not be one of the input fields. "
        "Answer with JSON only: "
        "{\"tasks\": [{\"instruction\": ..., \"input_fields\": [...], \"output_field\": ...}]}."),
}


def default_variants(settings) -> tuple[str, ...]:
    """The configured variants, else schema for the embedded model and the two Dynosaur
    prompts for a configured endpoint."""
    chosen = tuple(getattr(settings, "variants", None) or ())
    if chosen:
        return chosen
    return VARIANTS if settings.llm.base_url else ("schema",)


def is_id_field(name: str) -> bool:
    """True when the field's name marks it as an identifier (`id`, `doc_id`, `questionId`, `uuid`)."""
    return any(t in _ID_TOKENS for t in name_tokens(name))


def _is_nested(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value)


def prompt_fields(meta: DatasetMeta) -> list[Feature]:
    """The fields offered to the model: no id-like names, no nested or media features."""
    return [f for f in meta.features
            if not is_id_field(f.name) and not f.is_nested and not f.is_media]


def _cut(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_STRING]
    if isinstance(value, (list, tuple)):
        return [_cut(v) for v in value]
    return value


def _label(feature: Feature, value: Any) -> Any:
    """ClassLabel integers become their names (sources usually did this already)."""
    names = feature.label_names
    if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if names and isinstance(value, list):
        return [_label(feature, v) for v in value]
    return value


def trim_rows(meta: DatasetMeta, n: int = PROMPT_ROWS) -> list[dict[str, Any]]:
    """Sample rows as the method shows them: offered fields only, strings cut, nested dropped."""
    fields = prompt_fields(meta)
    rows = []
    for row in meta.sample_rows(n):
        out = {}
        for f in fields:
            value = _label(f, row.get(f.name))
            if value is None or _is_nested(value):
                continue
            out[f.name] = _cut(value)
        rows.append(out)
    return rows


def metadata_block(meta: DatasetMeta, variant: str) -> dict[str, Any]:
    """The trimmed metadata the model sees for one dataset."""
    name = meta.name or meta.ref.name
    if meta.ref.config and meta.ref.config not in ("default", name):
        name = f"{name}-{meta.ref.config}"
    block: dict[str, Any] = {"name": name}
    if variant == "aware":
        block["description"] = (meta.summary or "").strip()[:MAX_STRING]
    fields: dict[str, Any] = {}
    for f in prompt_fields(meta):
        fields[f.name] = {"type": f.type, "labels": f.label_names} if f.label_names else f.type
    block["fields"] = fields
    block["samples"] = trim_rows(meta)
    return block


def render_user(block: dict[str, Any]) -> str:
    """One user turn: the metadata, the allowed fields, the no-overlap rule."""
    names = list(block["fields"])
    body = json.dumps(block, ensure_ascii=False)  # compact: indentation costs ~25% more tokens
    return (f"Dataset metadata:\n{body}\n\n"
            f"Propose up to {MAX_TASKS} tasks. The allowed fields are: {json.dumps(names)}. "
            "input_fields and output_field must come from this list, and the output field "
            "must not appear among the input fields.")


def skip_reason(meta: DatasetMeta, variant: str) -> str:
    """Why a variant cannot be asked for this dataset ('' when it can)."""
    if variant not in ALL_VARIANTS:
        return f"unknown prompt variant '{variant}' (use aware, unaware or schema)"
    if variant == "schema":
        if derive(meta):
            return ""
        unused = ", ".join(f"{k} ({v})" for k, v in list(unused_fields(meta).items())[:4])
        return "no task skeleton fits the fields" + (f"; unused: {unused}" if unused else "")
    if variant == "aware" and not (meta.summary or "").strip():
        return "no summary: the description-aware prompt needs the card's description"
    if len(prompt_fields(meta)) < 2:
        return "fewer than two usable fields (ids, nested and media fields are hidden)"
    return ""


def build_prompt(meta: DatasetMeta, variant: str, rejected: list[dict] | None = None
                 ) -> list[dict[str, str]]:
    """Chat messages for one dataset and a Dynosaur variant (callers check skip_reason
    first); `rejected`: earlier proposals with the reasons they were rejected (feedback.py)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown prompt variant {variant!r}")
    messages = [{"role": "system", "content": SYSTEM[variant]}]
    for demo in DEMOS[variant]:
        messages.append({"role": "user", "content": render_user(demo["metadata"])})
        messages.append({"role": "assistant",
                         "content": json.dumps({"tasks": demo["tasks"]}, ensure_ascii=False)})
    user = render_user(metadata_block(meta, variant))
    if rejected:
        user += prompt_note(rejected)
    messages.append({"role": "user", "content": user})
    return messages


def demo_instructions() -> list[str]:
    """Every demonstration instruction of every variant (a proposal must not copy one)."""
    return [t["instruction"] for demos in DEMOS.values() for d in demos for t in d["tasks"]] + [
        SCHEMA_DEMO_TASK, SCHEMA_DEMO_ANSWER]


def response_schema(field_names: list[str]) -> dict[str, Any]:
    """JSON schema of an answer; the dataset's field names go in an `enum`."""
    names = list(dict.fromkeys(field_names)) or [""]
    return {
        "type": "object",
        "properties": {
            "tasks": {
                "type": "array", "minItems": 1, "maxItems": MAX_TASKS,
                "items": {
                    "type": "object",
                    "properties": {
                        "instruction": {"type": "string", "minLength": 1},
                        "input_fields": {"type": "array", "minItems": 1,
                                         "items": {"type": "string", "enum": names}},
                        "output_field": {"type": "string", "enum": names},
                    },
                    "required": list(TASK_KEYS),
                    "additionalProperties": False,
                },
            },
        },
        "required": ["tasks"],
        "additionalProperties": False,
    }


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """Rough input tokens (characters / 4), for dry-run estimates."""
    return sum(len(m["content"]) for m in messages) // 4 + 4 * len(messages)
