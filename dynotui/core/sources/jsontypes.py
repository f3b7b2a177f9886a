"""The types Arrow's JSON reader infers for a chunk of json lines, worked out in Python.

Importing pyarrow costs about half a second; for the common plain chunk (strings, numbers,
booleans, lists and objects with the same keys) this gives the same features and row values.
A chunk with anything Arrow might read otherwise (date-like strings, mixed types, huge ints,
NaN) raises Unsupported and pyarrow reads it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from dynotui.core.sources.litefeatures import List, Unsupported, Value

DATELIKE = re.compile(r"\s*\d{4}-\d\d-\d\d[ T]\d")
INT64 = (-2**63, 2**63)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        if not INT64[0] <= value < INT64[1]:
            raise Unsupported("an integer beyond int64")
        return "int"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise Unsupported("NaN or infinity")
        return "float"
    if isinstance(value, str):
        if DATELIKE.match(value):
            raise Unsupported("a date-like string Arrow may read as a timestamp")
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    raise Unsupported(type(value).__name__)


def infer(values: list[Any]) -> Any:
    """The feature Arrow gives a column holding `values` (None: only nulls seen)."""
    kinds = {_kind(v) for v in values} - {"null"}
    if not kinds:
        return Value("null")
    if kinds == {"int", "float"}:
        return Value("float64")
    if len(kinds) > 1:
        raise Unsupported(f"mixed json types {sorted(kinds)}")
    kind = kinds.pop()
    if kind == "list":
        items = [item for v in values if v is not None for item in v]
        if any(item is None for item in items):  # pyarrow's reader mangles these: it decides
            raise Unsupported("null items in a list")
        return List(infer(items))
    if kind == "dict":
        return infer_fields([v for v in values if v is not None])
    return Value({"bool": "bool", "int": "int64", "float": "float64", "str": "string"}[kind])


def infer_fields(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Fields in the order they first appear, each typed over every object."""
    names: dict[str, None] = {}
    for obj in objects:
        for key in obj:
            names.setdefault(key, None)
    return {name: infer([obj.get(name) for obj in objects]) for name in names}


def shape(value: Any, feature: Any) -> Any:
    """A parsed value as Arrow gives it back under the inferred feature (ints in a float
    column become floats, missing struct fields None)."""
    if value is None:
        return None
    if isinstance(feature, dict):
        return {k: shape(value.get(k), f) for k, f in feature.items()}
    if isinstance(feature, List):
        return [shape(v, feature.feature) for v in value]
    if feature.dtype == "float64":
        return float(value)
    return value


def parse_lines(batch: bytes) -> list[Any]:
    """The json values of a chunk's lines (Unsupported when a line is not json)."""
    try:
        return [json.loads(line) for line in batch.decode("utf-8").splitlines() if line.strip()]
    except ValueError as exc:
        raise Unsupported("not plain json lines") from exc


def read_chunk(parsed: list[Any], wanted: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(features, first `wanted` rows) of parsed json lines, as pyarrow.json would give them."""
    if not parsed or not all(isinstance(r, dict) for r in parsed):
        raise Unsupported("json lines that are not objects")
    features = infer_fields(parsed)
    return features, [{k: shape(r.get(k), f) for k, f in features.items()}
                      for r in parsed[:wanted]]
