"""The `dynosaur` style: instances as the released Dynosaur pipeline built them, quirks included.

Our reading of WadeYin9712/Dynosaur code/instruction_generation/organize_data.py (the
label-space step and the instance loop), applied to rows sampled as its download step did
(see sampling.py). The rules:

Input, the task's input fields in its order:
- a text, number or bool: `str(v).strip()`; alone it is the whole input, among several fields
  it adds `name is 'value'. ` (the trailing space stays, nothing else separates fields);
- a non-empty list whose first item is text and that holds no None: ` A. 'x', B. 'y'.` when
  the field's name contains `choice` (case-sensitive; leading space, no `name is`), else
  `'x', 'y'. `; items are not stripped and no list gets `name is`;
- anything else (None, a dict, an empty list, a list of numbers or holding None): the row
  gives no instance; nor does an empty input (one field whose text is empty).
Output, the output field: a text, number or bool -> `str(v).strip()`, empty kept; a list, dict
  or None ends the task's rows there (earlier rows keep their instances).
Label space, over the first 100 rows: a list/dict/None output in any of them drops the task;
  with at most 10 distinct outputs the task is kept only if balanced (two labels: the commonest
  in at most 70 rows, more labels: at most 50; one label: dropped), and if no label is longer
  than 15 characters the instruction gains ` Answers must be one of a, b.`.
Input and output are cut at 2,000 characters; a task left with no instance is dropped; no dedupe.

Where we cannot or do not follow it (README, "Export formats"):
- label order: first appearance (the original's order came from a Python set of strings, so it
  changed from run to run); an instruction that already states its label space (the released
  task list was saved after this step) gets none added;
- a list mixing text with other items crashed the original; here the row gives no instance;
- a field holding image/audio/video data: no instance (the original saw a decoded object's repr).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from dynotui.core.models import Task

MAX_CHARS = 2000
LABEL_ROWS = 100  # rows the label-space step looks at
MAX_LABELS = 10  # more distinct outputs: neither a balance check nor a label space
MAX_LABEL_CHARS = 15
TOP_OF_TWO, TOP_OF_MORE = 70, 50  # most rows one label may have (absolute, not a share)
LABEL_SPACE = " Answers must be one of {}."
HAS_LABEL_SPACE = "Answers must be one of "
SCALAR = (str, int, float, bool)
MEDIA = ("Image", "Audio", "Video", "Pdf", "Nifti", "Mesh")

SKIP_INPUT = "input not text (None, dict, empty list or list of non-text)"
SKIP_EMPTY = "empty input"
SKIP_ENDED = "after a non-text output (the original stops a task's rows there)"


def kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def list_text(name: str, items: list[Any]) -> str | None:
    """A list input's text, or None when the row gives no instance."""
    if not items or not isinstance(items[0], str) or any(x is None for x in items):
        return None
    if not all(isinstance(x, str) for x in items):
        return None  # the original crashed on such a list
    if "choice" in name:
        return "".join(f" {chr(ord('A') + i)}. '{x}'," for i, x in enumerate(items))[:-1] + "."
    return "'" + "', '".join(items) + "'. "


def input_text(row: dict[str, Any], fields: list[str]) -> str | None:
    """The input of one row; None when a field holds no usable value."""
    several = len(fields) > 1
    text = ""
    for name in fields:
        value = row.get(name)
        if isinstance(value, SCALAR):
            value = str(value).strip()
            text = text + f"{name} is '{value}'. " if several else value
        elif isinstance(value, list):
            part = list_text(name, value)
            if part is None:
                return None
            text += part
        else:
            return None
    return text


def output_text(row: dict[str, Any], name: str) -> str | None:
    """The output of one row; None (a list, dict or None) ends the task's rows."""
    value = row.get(name)
    return str(value).strip() if isinstance(value, SCALAR) else None


def label_step(instruction: str, output: str, rows: list[dict[str, Any]]) -> tuple[str | None, str]:
    """(instruction, "") with the label space added when it applies, or (None, why dropped)."""
    labels = []
    for i, row in enumerate(rows[:LABEL_ROWS]):
        text = output_text(row, output)
        if text is None:
            return None, f"output not text: '{output}' is {kind(row.get(output))} in row {i + 1}"
        labels.append(text)
    counts = Counter(labels)  # keeps first-appearance order
    if len(counts) > MAX_LABELS:
        return instruction, ""
    top = max(counts.values(), default=0)
    if not counts:
        return None, "no rows: nothing was sampled"
    if len(counts) == 1:
        return None, "one label: every row has the same output"
    limit = TOP_OF_TWO if len(counts) == 2 else TOP_OF_MORE
    if top > limit:
        return None, (f"imbalanced labels: one of {len(counts)} labels in {top} of {len(labels)} "
                      f"rows (at most {limit})")
    if max(len(label) for label in counts) <= MAX_LABEL_CHARS and HAS_LABEL_SPACE not in instruction:
        instruction += LABEL_SPACE.format(", ".join(counts))
    return instruction, ""


@dataclass
class Plan:
    """What one task gives on its sampled rows: instances, or why the task is dropped."""

    instruction: str | None
    dropped: str = ""
    pairs: list[tuple[str, str, bool]] = field(default_factory=list)  # (input, output, cut)
    skipped: Counter = field(default_factory=Counter)  # rows without an instance, by reason


def media_fields(task: Task, features: Iterable[Any]) -> list[str]:
    needed = {*task.input_fields, task.output_field}
    return [f.name for f in features or ()
            if f.name in needed and any(m in str(f.type) for m in MEDIA)]


def plan(task: Task, rows: list[dict[str, Any]], features: Iterable[Any] = (),
         max_input: int = MAX_CHARS, max_output: int = MAX_CHARS) -> Plan:
    """Apply the original's label-space step and instance loop to one task."""
    if rows:
        missing = [n for n in (*task.input_fields, task.output_field) if n not in rows[0]]
        if missing:  # the original's task filter dropped such tasks before this step
            return Plan(None, f"field not in the rows: '{missing[0]}'")
    media = media_fields(task, features)
    if media:
        return Plan(None, f"image/audio field: '{media[0]}'")
    instruction, why = label_step(task.instruction, task.output_field, rows)
    if instruction is None:
        return Plan(None, why)
    result = Plan(instruction)
    for i, row in enumerate(rows):
        out = output_text(row, task.output_field)
        if out is None:
            result.skipped[SKIP_ENDED] += len(rows) - i
            break
        inp = input_text(row, task.input_fields)
        if not inp:
            result.skipped[SKIP_EMPTY if inp == "" else SKIP_INPUT] += 1
            continue
        cut = len(inp) > max_input or len(out) > max_output
        result.pairs.append((inp[:max_input], out[:max_output], cut))
    if not result.pairs:
        return Plan(None, "no instance: no row gives one", skipped=result.skipped)
    return result
