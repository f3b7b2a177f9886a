"""The features a card's YAML `dataset_info` declares, read without importing datasets (~1 s).

Mirrors datasets' own reading (DatasetInfosDict.from_dataset_card_data, Features._from_yaml_list)
for listings; where datasets would reject the card, this gives None as card_features does.
Opening a dataset (load_meta) still uses datasets itself.
"""

from __future__ import annotations

import re
from typing import Any

from dynotui.core.models import Feature
from dynotui.core.sources.card import Card

# datasets.Value dtypes pyarrow knows (pyarrow.<name>() or pyarrow.<name>_())
DTYPES = {"binary", "binary_view", "bool", "bool8", "date32", "date64", "float16", "float32",
          "float64", "int16", "int32", "int64", "int8", "large_binary", "large_string",
          "large_utf8", "month_day_nano_interval", "null", "string", "string_view", "uint16",
          "uint32", "uint64", "uint8", "utf8", "uuid"}
_PARAM_DTYPE = re.compile(r"^(timestamp\[(s|ms|us|ns)(,\s*tz=[a-zA-Z0-9/_+\-:]*)?\]"
                          r"|duration\[(s|ms|us|ns)\]|time32\[(s|ms)\]|time64\[(us|ns)\]"
                          r"|decimal(128|256)\(\d+,\s*-?\d+\))$")
# feature types built from keyword arguments that all have defaults
NAMED = {"Audio", "Image", "Mesh", "Video", "Pdf", "Nifti", "BioSequence", "BioStructure",
         "Json", "TranslationVariableLanguages"}
ARRAYS = {"Array2D", "Array3D", "Array4D", "Array5D"}
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_SPLIT_KEYS = {"name", "num_bytes", "num_examples", "shard_lengths", "original_shard_lengths",
               "dataset_name"}


class Rejected(Exception):
    """datasets would not read this dataset_info."""


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in re.split(r"_+", name) if p)


def _value(dtype: str) -> tuple | None:
    dtype = {"float": "float32", "double": "float64"}.get(dtype, dtype)
    if dtype in DTYPES or _PARAM_DTYPE.match(dtype):
        return ("value", dtype)
    return None


def _unsimplify(obj: dict) -> dict:
    for list_type in ("large_list", "list", "sequence"):
        if isinstance(obj.get(list_type), str):
            obj[list_type] = {"dtype": obj[list_type]}
    labels = obj.get("class_label")
    if isinstance(labels, dict) and isinstance(labels.get("names"), dict):
        try:
            ids = sorted(labels["names"], key=int)
            if ids and [int(i) for i in ids] != list(range(int(ids[-1]) + 1)):
                raise Rejected("class label ids missing")
        except (TypeError, ValueError) as exc:
            raise Rejected(str(exc)) from exc
        obj["class_label"] = {**labels, "names": [labels["names"][i] for i in ids]}
    return obj


def _list_of(node: Any, rest: dict, allowed: set[str]) -> tuple:
    if set(rest) - allowed:
        raise Rejected(f"unknown list keys {set(rest) - allowed}")
    return ("list", node)


def _typed(kind: str, args: Any) -> Any:
    """A feature given as {snake_name: {arguments}}."""
    if not isinstance(args, dict):
        raise Rejected(f"{kind} arguments are not a mapping")
    if kind == "ClassLabel":  # datasets passes names only (num_classes is an InitVar)
        if not isinstance(args.get("names"), list):
            raise Rejected("class_label without a names list")
        return ("label", list(args["names"]))
    if kind == "Value":
        node = _value(args.get("dtype")) if isinstance(args.get("dtype"), str) else None
        if node is None:
            raise Rejected("bad Value dtype")
        return node
    if kind in ARRAYS:
        if "shape" not in args or not isinstance(args.get("dtype"), str):
            raise Rejected(f"{kind} needs shape and dtype")
        return ("array", kind, args["dtype"])
    if kind in NAMED or (kind == "Translation" and "languages" in args):
        return ("named", kind)
    raise Rejected(f"unknown feature type {kind}")


def _inner(obj: Any) -> Any:
    """One step of datasets' from_yaml_inner, giving ('value'|'label'|'list'|...) nodes."""
    if isinstance(obj, list):
        return _fields(obj)
    if not isinstance(obj, dict):
        raise Rejected(f"expected a mapping or a list, got {type(obj).__name__}")
    if not obj:
        return {}
    kind = next(iter(obj))  # datasets reads the first key as the type
    if kind in ("large_list", "list", "sequence"):
        obj = _unsimplify(dict(obj))
        inner = obj.pop(kind)
        if kind == "large_list":
            return _list_of(_inner(inner), obj, {"id"})
        sub = _inner(inner)
        if kind == "sequence" and isinstance(inner, list):  # a struct of lists
            return {k: _list_of(v, obj, {"length", "id"}) for k, v in sub.items()}
        return _list_of(sub, obj, {"length", "id"})
    if kind == "struct":
        return _inner(obj["struct"])
    if kind == "dtype":
        dtype = obj["dtype"]
        if not isinstance(dtype, str):
            return _inner(dtype)
        node = _value(dtype)
        if node is not None:
            return node
        if dtype == "json" or _camel(dtype) in NAMED:
            return ("named", _camel(dtype))
        raise Rejected(f"unknown dtype {dtype}")
    return _typed(_camel(str(kind)), _unsimplify(dict(obj))[kind])


def _fields(items: list) -> dict:
    out: dict = {}
    for item in items:
        if not isinstance(item, dict) or "name" not in item:
            raise Rejected("a feature without a name")
        item = dict(item)
        name = item.pop("name")
        out[name] = _inner(item)
    return out


def _check_info(info: dict) -> dict | None:
    """The features of one dataset_info entry; Rejected where datasets would fail on it."""
    version = info.get("version")
    if version is not None and not (isinstance(version, str) and _VERSION.match(version)):
        raise Rejected("bad version")
    splits = info.get("splits")
    if splits is not None:
        items = list(splits.values()) if isinstance(splits, dict) else splits
        if not isinstance(items, list):
            raise Rejected("bad splits")
        names = []
        for split in items:
            if not isinstance(split, dict) or set(split) - _SPLIT_KEYS:
                raise Rejected("bad split entry")
            names.append(split.get("name", ""))
        if len(set(map(str, names))) != len(names):
            raise Rejected("a split named twice")
    features = info.get("features")
    if features is None:
        return None
    if not isinstance(features, list):
        raise Rejected("features are not a list")
    parsed = _fields(features)
    if not all(isinstance(k, str) for k in parsed):
        raise Rejected("a field name that is not a string")
    return parsed


def _type_string(node: Any) -> str:
    if isinstance(node, dict):
        return "dict{" + ", ".join(f"{k}: {_type_string(v)}" for k, v in node.items()) + "}"
    if node[0] == "list":
        return f"Sequence[{_type_string(node[1])}]"
    if node[0] == "value":
        return node[1].removeprefix("large_").removesuffix("_view")
    if node[0] == "label":
        return "ClassLabel"
    if node[0] == "array":
        return f"{node[1]}[{node[2]}]"
    return node[1]


def _labels(node: Any) -> list | None:
    if isinstance(node, tuple) and node[0] == "label":
        return list(node[1])
    if isinstance(node, tuple) and node[0] == "list":
        return _labels(node[1])
    return None


def card_feature_nodes(card: Card | None, config: str) -> dict | None:
    """The parsed features ({name: node}) the card declares for the config, or None when it
    declares none or datasets would reject its dataset_info."""
    info = card.data.get("dataset_info") if card else None
    if isinstance(info, dict):
        infos = {info.get("config_name", "default"): info}
    elif isinstance(info, list):
        if not all(isinstance(i, dict) for i in info):
            return None
        infos = {i.get("config_name", "default"): i for i in info}
    else:
        return None
    try:
        parsed = {name: _check_info(i) for name, i in infos.items()}
    except (Rejected, RecursionError):
        return None
    return parsed.get(config) if config in parsed else (
        next(iter(parsed.values())) if len(parsed) == 1 and "default" in parsed else None)


def card_feature_list(card: Card | None, config: str,
                      descriptions: dict[str, str] | None = None) -> list[Feature] | None:
    """Like to_features(card_features(card, config)) but without datasets; None when the card
    declares no features for the config or datasets would reject its dataset_info."""
    features = card_feature_nodes(card, config)
    if features is None:
        return None
    descriptions = descriptions or {}
    return [Feature(name, _type_string(node), _labels(node), descriptions.get(name, ""))
            for name, node in features.items()]
