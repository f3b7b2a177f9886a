"""Feature types without importing datasets: what `show` needs to name types, turn label ids
into names (features.py reads them by class name) and cast rows as datasets would.

Built from a card's dataset_info (cardfeatures), a parquet file's schema (with the features
datasets wrote into its metadata) or an inferred Arrow schema. Anything unusual (media, arrays,
Json, casts datasets does with Arrow) raises Unsupported: the caller then lets datasets read it.
"""

from __future__ import annotations

import json
import struct
from typing import Any

INTS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
FLOATS = {"float16": "e", "float32": "f", "float64": ""}
STRINGS = {"string", "large_string", "string_view"}


class Unsupported(Exception):
    """The direct read does not handle this: datasets should."""


class Value:
    def __init__(self, dtype: str):
        self.dtype = {"float": "float32", "double": "float64"}.get(dtype, dtype)

    def __repr__(self) -> str:
        return f"Value({self.dtype!r})"


class ClassLabel:
    def __init__(self, names: list[str]):
        self.names = [str(n) for n in names]

    @property
    def num_classes(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"ClassLabel({self.names!r})"


class List:
    def __init__(self, feature: Any, length: int = -1):
        self.feature = feature
        self.length = length

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.feature!r})"


class LargeList(List):
    pass


def from_nodes(node: Any) -> Any:
    """cardfeatures' parsed nodes ('value'|'label'|'list' tuples, dicts) as features."""
    if isinstance(node, dict):
        return {name: from_nodes(child) for name, child in node.items()}
    if node[0] == "value":
        return Value(node[1])
    if node[0] == "label":
        return ClassLabel(node[1])
    if node[0] == "list":
        return List(from_nodes(node[1]))
    raise Unsupported(f"feature {node[1]}")


def _from_dict(obj: Any) -> Any:
    """Features as datasets writes them into a parquet schema (Features.to_dict)."""
    if isinstance(obj, list) and len(obj) == 1:
        return List(_from_dict(obj[0]))
    if not isinstance(obj, dict):
        raise Unsupported("feature metadata")
    kind = obj.get("_type")
    if kind is None:
        return {name: _from_dict(child) for name, child in obj.items()}
    if kind == "Value":
        return Value(str(obj["dtype"]))
    if kind == "ClassLabel":
        return ClassLabel(obj["names"])
    if kind in ("List", "Sequence", "LargeList"):
        inner = _from_dict(obj["feature"])
        length = int(obj.get("length", -1))
        if kind == "LargeList":
            return LargeList(inner)
        if kind == "Sequence" and isinstance(inner, dict):  # a dict of lists, as datasets does
            return {name: List(child, length) for name, child in inner.items()}
        return List(inner, length)
    raise Unsupported(f"feature {kind}")


def dtype_of(pa_type: Any) -> str:
    """datasets' dtype name for an Arrow type (Value(dtype))."""
    import pyarrow as pa

    t = pa.types
    if t.is_dictionary(pa_type):
        return dtype_of(pa_type.value_type)
    if t.is_timestamp(pa_type):
        return f"timestamp[{pa_type.unit}" + (f", tz={pa_type.tz}]" if pa_type.tz else "]")
    if t.is_time32(pa_type) or t.is_time64(pa_type) or t.is_duration(pa_type):
        return f"{str(pa_type).split('[')[0]}[{pa_type.unit}]"
    if t.is_decimal(pa_type):
        return f"{str(pa_type).split('(')[0]}({pa_type.precision}, {pa_type.scale})"
    if t.is_fixed_size_binary(pa_type):
        return f"fixed_size_binary[{pa_type.byte_width}]"
    names = {"halffloat": "float16", "float": "float32", "double": "float64",
             "date32[day]": "date32", "date64[ms]": "date64", "large_utf8": "large_string",
             "utf8": "string"}
    name = str(pa_type)
    if t.is_nested(pa_type) or isinstance(pa_type, pa.ExtensionType):
        raise Unsupported(f"Arrow type {name}")
    return names.get(name, name)


def from_arrow_type(pa_type: Any) -> Any:
    import pyarrow as pa

    if isinstance(pa_type, pa.StructType):
        return {f.name: from_arrow_type(f.type) for f in pa_type}
    if isinstance(pa_type, pa.FixedSizeListType):
        return List(from_arrow_type(pa_type.value_type), pa_type.list_size)
    if isinstance(pa_type, pa.ListType):
        return List(from_arrow_type(pa_type.value_type))
    if isinstance(pa_type, pa.LargeListType):
        return LargeList(from_arrow_type(pa_type.value_type))
    return Value(dtype_of(pa_type))


def arrow_type(feature: Any) -> Any:
    """The Arrow storage type of a feature (datasets' Features.arrow_schema, field by field)."""
    import pyarrow as pa

    if isinstance(feature, dict):
        return pa.struct([pa.field(k, arrow_type(v)) for k, v in feature.items()])
    if isinstance(feature, ClassLabel):
        return pa.int64()
    if isinstance(feature, LargeList):
        return pa.large_list(arrow_type(feature.feature))
    if isinstance(feature, List):
        inner = arrow_type(feature.feature)
        return pa.list_(inner, feature.length) if feature.length >= 0 else pa.list_(inner)
    try:
        return pa.type_for_alias(feature.dtype)
    except (ValueError, KeyError) as exc:
        raise Unsupported(f"dtype {feature.dtype}") from exc


def from_schema(schema: Any) -> dict[str, Any]:
    """Features of a parquet/Arrow schema: datasets' own features from the schema metadata
    where their Arrow type is the field's, else the Arrow types (Features.from_arrow_schema)."""
    import pyarrow as pa

    stored: dict[str, Any] = {}
    meta = (schema.metadata or {}).get(b"huggingface")
    if meta:
        try:
            info = json.loads(meta.decode()).get("info") or {}
        except (ValueError, UnicodeDecodeError, AttributeError):
            info = {}
        if isinstance(info.get("features"), dict):
            stored = {name: _from_dict(f) for name, f in info["features"].items()}
    out = {}
    for field in schema:
        mine = stored.get(field.name)
        if mine is not None and pa.field(field.name, arrow_type(mine)) == field:
            out[field.name] = mine
        else:
            out[field.name] = from_arrow_type(field.type)
    return out


def _float(value: Any, dtype: str) -> float:
    code = FLOATS[dtype]
    value = float(value)
    return struct.unpack(code, struct.pack(code, value))[0] if code else value


def cast(value: Any, feature: Any) -> Any:
    """A value as datasets would hold it under `feature`, where that cast is a plain one."""
    if value is None:
        return None
    if isinstance(feature, dict):
        if not isinstance(value, dict) or set(value) - set(feature):
            raise Unsupported("struct cast")
        return {k: cast(value.get(k), f) for k, f in feature.items()}
    if isinstance(feature, List):
        if not isinstance(value, list) or (feature.length >= 0 and len(value) != feature.length):
            raise Unsupported("list cast")
        return [cast(v, feature.feature) for v in value]
    if isinstance(feature, ClassLabel):
        if isinstance(value, str) and value in feature.names:
            return feature.names.index(value)
        if isinstance(value, int) and not isinstance(value, bool) and \
                0 <= value < feature.num_classes:
            return value
        raise Unsupported("label cast")
    dtype = getattr(feature, "dtype", None)
    if dtype in STRINGS and isinstance(value, str):
        return value
    if dtype in INTS and isinstance(value, int) and not isinstance(value, bool):
        return value
    if dtype in FLOATS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _float(value, dtype)
    if dtype == "bool" and isinstance(value, bool):
        return value
    raise Unsupported(f"cast to {dtype}")


def cast_row(row: dict[str, Any], features: dict[str, Any]) -> dict[str, Any]:
    """A row in the features' column order, missing columns as None (datasets fills nulls)."""
    if set(row) - set(features):
        raise Unsupported("a column the features do not name")
    return {name: cast(row.get(name), f) for name, f in features.items()}
