"""Rows as the original Dynosaur pipeline sampled them (its download_data.py, our reading).

- Splits in the dataset's order; only those whose name contains `train` or `validation`
  (so `train_r1`, `validation_matched` count, `dev` and `test` do not).
- At most 100 rows from each; a split that runs out before 100 ends the sampling (the
  original's loop stopped on the exhausted iterator), so validation is read only after a
  full 100 train rows, and later splits only after full earlier ones.
- Top-level ClassLabel values become their names, by Python indexing: -1 is the last name.
  A value that is no index ends the sampling there. Labels inside lists stay numbers.
- Each row goes through JSON with `default=str` (tuples become lists, dates and bytes text).
- A dataset with at most one field, or a field whose name contains `image` or `audio`, was
  skipped whole.
Not reproduced: the original's 18-second time limit per dataset, and its use of the latest
revision (ours reads the revision the task was made on).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator

ROWS_PER_SPLIT = 100


def sampled_splits(splits: Iterable[str]) -> list[str]:
    return [s for s in splits if "train" in s or "validation" in s]


def excluded(field_names: list[str]) -> str:
    """Why the original skipped this dataset whole, or ""."""
    if len(field_names) <= 1:
        return "the dataset has fewer than two fields"
    for name in field_names:
        if "image" in name or "audio" in name:
            return f"field '{name}' names an image or audio"
    return ""


class Stop(Exception):
    """A ClassLabel value the original could not turn into a name: its sampling ended."""


def label_maps(features: Iterable[Any]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({field: names} of top-level ClassLabels, {field: names} of lists of ClassLabels)."""
    top, lists = {}, {}
    for f in features or ():
        if f.label_names and f.type == "ClassLabel":
            top[f.name] = list(f.label_names)
        elif f.label_names and f.type in ("Sequence[ClassLabel]", "list[ClassLabel]"):
            lists[f.name] = list(f.label_names)
    return top, lists


def as_original(row: dict[str, Any], top: dict[str, list[str]],
                lists: dict[str, list[str]]) -> dict[str, Any]:
    """One of our rows (labels already names, -1 as None) as the original held it."""
    row = dict(row)
    for name, names in top.items():
        value = row.get(name)
        if value is None:  # our sources turn the "no label" -1 into None
            value = -1
        is_index = isinstance(value, int) and not isinstance(value, bool)
        if not is_index and (isinstance(value, str) or value in names):
            continue  # already a name
        if not is_index or not -len(names) <= value < len(names):
            raise Stop(f"'{name}' holds {value!r}, not one of its {len(names)} labels")
        row[name] = names[value]
    for name, names in lists.items():
        value = row.get(name)
        if isinstance(value, list):
            index = {n: i for i, n in enumerate(names)}
            row[name] = [-1 if x is None else index.get(x, x) for x in value]
    try:
        return json.loads(json.dumps(row, default=str))
    except (TypeError, ValueError) as exc:
        raise Stop(f"the row cannot be saved as JSON ({exc})") from exc


def original_rows(read: Callable[[str, int], Iterator[dict[str, Any]]], splits: Iterable[str],
                  features: Iterable[Any] = ()) -> tuple[list[dict[str, Any]], str]:
    """(rows, why sampling stopped early or ""); read(split, limit) streams our rows."""
    top, lists = label_maps(features)
    rows: list[dict[str, Any]] = []
    for split in sampled_splits(splits):
        n = 0
        for raw in read(split, ROWS_PER_SPLIT):
            try:
                rows.append(as_original(raw, top, lists))
            except Stop as stop:
                return rows, f"{split} row {n + 1}: {stop}"
            n += 1
            if n == ROWS_PER_SPLIT:
                break
        if n < ROWS_PER_SPLIT:
            break
    return rows, ""
