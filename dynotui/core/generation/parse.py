"""Tolerant parsing of an LLM answer into task items.

Accepts JSON, fenced JSON, JSON embedded in prose, a Python literal (what the original
pipeline received) and, for answers cut off mid-way, the complete task objects that survive.
The top level may be {"tasks": [...]}, a bare list, a single task object, or the original
pipeline's map of numbered tasks, {'task1': {...}, 'task2': {...}} (taken in its order).
Python literals are read with ast.literal_eval only, bounded in size and nesting.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from typing import Any

from dynotui.core.text import clean

TASK_KEYS = ("instruction", "input_fields", "output_field")
MAX_SCAN = 300  # start positions tried when looking for JSON inside prose
MAX_LITERAL = 50_000  # ast.literal_eval is slow and recursive on huge inputs
MAX_DEPTH = 40  # brackets nested deeper than this are no task list
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n?(.*?)(?:```|\Z)", re.S)


def _clean(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return clean(value)  # lone surrogates cannot be stored
    if depth > 50:
        return value
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    return value


def _is_task(value: Any) -> bool:
    return isinstance(value, dict) and any(k in value for k in TASK_KEYS)


def tasks_from(value: Any) -> list[Any] | None:
    """The task items inside a decoded value, or None when it holds no task container."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and key.strip().lower() == "tasks":
                if isinstance(inner, list):
                    return inner
                if _is_task(inner):
                    return [inner]
                return None
        if _is_task(value):
            return [value]
        if value and all(_is_task(v) for v in value.values()):
            return list(value.values())  # {'task1': {...}, 'task2': {...}}
        return None
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value) and len(value) == 1:
            return value[0]  # [[...]]: one extra level of nesting
        return value
    return None


def _json(text: str) -> Any:
    return json.loads(text)


def _depth(text: str) -> int:
    """Deepest bracket nesting, counting brackets inside strings too (an upper bound)."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def _literal(text: str) -> Any:
    if len(text) > MAX_LITERAL:
        raise ValueError("too long for a Python literal")
    if _depth(text) > MAX_DEPTH:
        raise ValueError("nested too deeply for a task list")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in model text are not our concern
        return ast.literal_eval(text)


def _decode(text: str) -> tuple[Any, str] | None:
    for form, fn in (("json", _json), ("python", _literal)):
        try:
            return fn(text), form
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def _scan(text: str) -> tuple[list[Any] | None, str]:
    """Find JSON values inside prose; collect lone task objects (e.g. from a cut-off answer)."""
    decoder = json.JSONDecoder()
    singles: list[Any] = []
    tries = 0
    i = 0
    while tries < MAX_SCAN:
        starts = [p for p in (text.find("{", i), text.find("[", i)) if p >= 0]
        if not starts:
            break
        pos = min(starts)
        tries += 1
        try:
            value, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):
            i = pos + 1
            continue
        items = tasks_from(value)
        if _is_task(value):
            singles.append(value)
        elif items and any(_is_task(v) for v in items):
            return items, "embedded"
        i = end
    if singles:
        return singles, "salvaged"
    return None, ""


def _candidates(text: str) -> list[tuple[str, str]]:
    out = [(text, "")]
    for match in _FENCE.finditer(text):
        body = match.group(2).strip()
        if body:
            out.append((body, "fenced"))
    first = [p for p in (text.find("{"), text.find("[")) if p >= 0]
    if first:
        start = min(first)
        end = max(text.rfind("}"), text.rfind("]"))
        if end > start:
            out.append((text[start:end + 1], "embedded"))
    return out


def parse_answer(text: Any) -> tuple[list[Any] | None, str]:
    """(items, form) on success, form in json|python|fenced|embedded|salvaged;
    (None, reason) otherwise, reason = "unparseable: ..." or "no_tasks: ..."."""
    if not isinstance(text, str):
        return None, f"unparseable: the answer is {type(text).__name__}, not text"
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        return None, "unparseable: the answer is empty"
    found_empty = False
    for candidate, where in _candidates(stripped):
        decoded = _decode(candidate)
        if decoded is None:
            continue
        value, form = decoded
        items = tasks_from(value)
        if items is None:
            continue
        if not items:
            found_empty = True
            continue
        return _clean(items), where or form
    items, form = _scan(stripped)
    if items:
        return _clean(items), form
    if found_empty:
        return None, "no_tasks: the answer lists no tasks"
    return None, "unparseable: no JSON or Python list/object of tasks found in the answer"


def reason_rule(reason: str) -> str:
    """The rule name of a parse failure reason ("unparseable: ..." -> "unparseable")."""
    return reason.split(":", 1)[0].strip() or "unparseable"
