"""The shape of each stored record, checked as it is read: a record of the wrong shape is
reported by file and line (or record number) and skipped, never rewritten, never a crash."""

from __future__ import annotations

import math
from typing import Any

from dynotui.core.errors import StoreError
from dynotui.core.models import ACTIONS

_NUMBER = (int, float)


class DamagedFile(StoreError):
    """A store file read with records skipped or events lost; what is left in it counts."""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "a string", bool: "true/false", int: "a number", float: "a number",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool) and math.isfinite(value)


# key -> (test, what it must be); keys not listed are ignored (the models drop them)
_EVENT = {
    "proposal": (lambda v: isinstance(v, str) and bool(v), "a proposal id"),
    "action": (lambda v: isinstance(v, str) and v in ACTIONS, f"one of {', '.join(ACTIONS)}"),
    "annotator": (lambda v: isinstance(v, str), "a string"),
    "session": (lambda v: isinstance(v, str), "a string"),
    "ts": (_number, "a time stamp (seconds since 1970)"),
    "seconds": (_number, "a number of seconds"),
    "reason": (lambda v: isinstance(v, str), "a string"),
    "note": (lambda v: isinstance(v, str), "a string"),
    "edited": (lambda v: v is None or isinstance(v, str), "a proposal id or null"),
    "target": (lambda v: v is None or isinstance(v, str), "an event id or null"),
    "dataset": (lambda v: isinstance(v, str), "a string"),
    "id": (lambda v: isinstance(v, str) and bool(v), "an event id"),
}
_EVENT_REQUIRED = ("proposal", "action", "annotator", "id")


def _fields(doc: dict, spec: dict, required: tuple[str, ...]) -> str | None:
    for key in required:
        if key not in doc:
            return f"no {key}"
    for key, value in doc.items():
        rule = spec.get(key)
        if rule is not None and not rule[0](value):
            return f"{key} is {_shown(value)}, not {rule[1]}"
    return None


def event_problem(doc: Any) -> str | None:
    """What is wrong with a decision event record, or None."""
    if not isinstance(doc, dict):
        return f"not an event object but {_kind(doc)}"
    return _fields(doc, _EVENT, _EVENT_REQUIRED)


def _str(v: Any) -> bool:
    return isinstance(v, str)


def _opt_str(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_PROPOSAL = {
    "dataset": (lambda v: isinstance(v, str) and bool(v), "a dataset id"),
    "config": (_opt_str, "a string or null"), "split": (_opt_str, "a string or null"),
    "revision": (_opt_str, "a string or null"), "parent": (_opt_str, "a string or null"),
    "variant": (_str, "a string"), "prompt_version": (_str, "a string"),
    "model": (_str, "a string"), "source": (_str, "a string"), "raw_answer": (_str, "a string"),
    "task_name": (_str, "a string"), "id": (lambda v: isinstance(v, str) and bool(v), "an id"),
    "temperature": (_number, "a number"), "cost_usd": (_number, "a number"),
    "seconds": (_number, "a number"), "created": (_number, "a number"),
    "tokens_in": (_whole, "a whole number"), "tokens_out": (_whole, "a whole number"),
    "version": (_whole, "a whole number"),
    "stage": (lambda v: v is None or _whole(v), "a whole number or null"),
    "task": (lambda v: isinstance(v, dict), "a task object"),
    "verdicts": (lambda v: isinstance(v, list), "a list of verdicts"),
}
_PROPOSAL_REQUIRED = ("dataset", "task", "id")


def _task_problem(task: dict) -> str | None:
    if not isinstance(task.get("instruction", ""), str):
        return f"task.instruction is {_shown(task['instruction'])}, not a string"
    inputs = task.get("input_fields", [])
    if not isinstance(inputs, list) or not all(isinstance(x, str) for x in inputs):
        return f"task.input_fields is {_shown(inputs)}, not a list of field names"
    if not isinstance(task.get("output_field", ""), str):
        return f"task.output_field is {_shown(task['output_field'])}, not a string"
    return None


def _verdict_problem(verdict: Any) -> str | None:
    if not isinstance(verdict, dict):
        return f"a verdict is {_kind(verdict)}, not an object"
    if not isinstance(verdict.get("rule"), str) or not isinstance(verdict.get("ok"), bool):
        return f"a verdict is {_shown(verdict)}, not {{rule, ok, reason, level}}"
    if not isinstance(verdict.get("reason", ""), str) or not isinstance(verdict.get("level", ""), str):
        return f"a verdict is {_shown(verdict)}, not {{rule, ok, reason, level}}"
    return None


def proposal_problem(doc: Any) -> str | None:
    """What is wrong with a stored proposal record, or None."""
    if not isinstance(doc, dict):
        return f"not a proposal object but {_kind(doc)}"
    problem = _fields(doc, _PROPOSAL, _PROPOSAL_REQUIRED) or _task_problem(doc["task"])
    if problem is None:
        for verdict in doc.get("verdicts") or ():
            problem = _verdict_problem(verdict)
            if problem:
                break
    return problem
