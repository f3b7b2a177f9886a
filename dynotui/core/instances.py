"""A task applied to one row: instruction / input / output, the Dynosaur way.

Rules (the method's, made explicit and a little sturdier):
- Input, one field: its value as text. Several fields: `field is 'value'. ` for each
  non-empty field, in the task's order, joined.
- A list field named like `choice`/`option` (or a dict of parallel `label`/`text` lists, as in
  ARC or CommonsenseQA) becomes ` A. 'x', B. 'y'.` (its own labels when the dict has them).
- Values: None -> empty; text as is; numbers/bools via str(); ClassLabel integers -> their
  names when the row still holds integers; other lists -> items joined with ", ";
  dicts -> `key: value; ...` (without empty values).
- Output: a dict holding a `text`/`answer` list (SQuAD `answers`) or a list in a field named
  like `answer` -> the first non-empty item (the others are alternatives); other lists ->
  items joined with ", "; a ClassLabel -> its name.
- Input and output are cut to max_input/max_output characters (default 2,000).
- Empty input or empty output (after stripping whitespace) -> no instance, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from dynotui.core.models import Feature, Task

MAX_CHARS = 2000
CHOICE_WORDS = ("choice", "option")
ANSWER_KEYS = ("text", "answer", "answers", "value", "label")
SKIP_EMPTY_INPUT = "empty input"
SKIP_EMPTY_OUTPUT = "empty output"
SKIP_MISSING_FIELD = "field missing from the row"


@dataclass
class Built:
    """One build outcome: the instance, or None and why not; `cut` when a cap applied."""

    instance: dict[str, str] | None
    reason: str = ""
    cut: bool = False


def _label_name(value: Any, feature: Feature | None) -> Any:
    names = feature.label_names if feature else None
    if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return value


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def is_choice_field(name: str) -> bool:
    lower = name.lower()
    return any(word in lower for word in CHOICE_WORDS)


def text_of(value: Any, feature: Feature | None = None) -> str:
    """Any cell as plain text (see the module rules)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        parts = (text_of(_label_name(v, feature)) for v in value)
        return ", ".join(p for p in parts if p.strip())
    if isinstance(value, dict):
        parts = ((k, text_of(v)) for k, v in value.items())
        return "; ".join(f"{k}: {t}" for k, t in parts if t.strip())
    if isinstance(value, float) and value != value:  # NaN: a missing cell
        return ""
    return str(_label_name(value, feature))


def choices_text(value: Any) -> str | None:
    """` A. 'x', B. 'y'.` for a list of choices, or a dict of label/text lists; None otherwise."""
    labels: list[str] | None = None
    items: Any = value
    if isinstance(value, dict):
        items = value.get("text")
        raw = value.get("label")
        if isinstance(raw, (list, tuple)) and isinstance(items, (list, tuple)) and len(raw) == len(items):
            labels = [str(x) for x in raw]
    if not isinstance(items, (list, tuple)) or not items:
        return None
    texts = [text_of(item) for item in items]
    marks = labels or [_letter(i) for i in range(len(texts))]
    return "".join(f" {m}. '{t}'," for m, t in zip(marks, texts))[:-1] + "."


def field_text(name: str, value: Any, feature: Feature | None = None) -> str:
    """An input field's value as text (choices rendered as lettered options)."""
    if is_choice_field(name):
        rendered = choices_text(value)
        if rendered is not None:
            return rendered.strip()
    return text_of(_label_name(value, feature), feature)


def _first(items: Iterable[Any], feature: Feature | None) -> str:
    for item in items:
        text = text_of(_label_name(item, feature), feature)
        if text.strip():
            return text
    return ""


def output_text(name: str, value: Any, feature: Feature | None = None) -> str:
    """The output field's value: first answer of an answer list/dict, else text_of."""
    if isinstance(value, dict):
        for key in ANSWER_KEYS:
            inner = value.get(key)
            if isinstance(inner, (list, tuple)):
                return _first(inner, None)
            if inner is not None:
                return text_of(inner)
        return text_of(value)
    if isinstance(value, (list, tuple)) and "answer" in name.lower():
        return _first(value, feature)
    return text_of(_label_name(value, feature), feature)


def input_text(fields: list[str], row: dict[str, Any], features: dict[str, Feature]) -> str:
    if len(fields) == 1:
        name = fields[0]
        return field_text(name, row.get(name), features.get(name))
    parts = []
    for name in fields:
        text = field_text(name, row.get(name), features.get(name))
        if not text.strip():
            continue
        if is_choice_field(name) and text.endswith("."):
            parts.append(f"{name} is {text} ")  # options carry their own quotes
        else:
            parts.append(f"{name} is '{text}'. ")
    return "".join(parts).rstrip()


def feature_map(features: Iterable[Feature] | dict[str, Feature] | None) -> dict[str, Feature]:
    if not features:
        return {}
    if isinstance(features, dict):
        return features
    return {f.name: f for f in features}


def build(task: Task, row: dict[str, Any], features: dict[str, Feature] | None = None,
          max_input: int = MAX_CHARS, max_output: int = MAX_CHARS) -> Built:
    """Apply a task to a row; features is a name -> Feature map (see feature_map)."""
    features = features or {}
    if task.output_field not in row or any(f not in row for f in task.input_fields):
        return Built(None, SKIP_MISSING_FIELD)
    out = output_text(task.output_field, row[task.output_field], features.get(task.output_field))
    if not out.strip():
        return Built(None, SKIP_EMPTY_OUTPUT)
    inp = input_text(list(task.input_fields), row, features)
    if not inp.strip():
        return Built(None, SKIP_EMPTY_INPUT)
    cut = False
    if max_input and len(inp) > max_input:
        inp, cut = inp[:max_input], True
    if max_output and len(out) > max_output:
        out, cut = out[:max_output], True
    return Built({"instruction": task.instruction, "input": inp, "output": out}, cut=cut)


def build_instance(task: Task, row: dict[str, Any], features: Any = None,
                   max_input: int = MAX_CHARS, max_output: int = MAX_CHARS) -> dict[str, str] | None:
    """instruction/input/output for one row, or None when the input or output is empty."""
    return build(task, row, feature_map(features), max_input, max_output).instance
