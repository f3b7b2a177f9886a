"""datasets Features -> models.Feature, and rows made readable: ClassLabel names, big cells cut."""

from __future__ import annotations

from typing import Any

from dynotui.core.models import Feature

CELL_LIMIT = 100_000  # characters (or bytes) shown per cell; more is cut and flagged
MEDIA = ("Image", "Audio", "Video", "Pdf", "Nifti", "Mesh")


def type_string(feature: Any) -> str:
    """A readable type: `string`, `ClassLabel`, `Sequence[ClassLabel]`, `dict{a: int64}`, `Image`."""
    kind = type(feature).__name__
    if isinstance(feature, dict):
        inner = ", ".join(f"{k}: {type_string(v)}" for k, v in feature.items())
        return f"dict{{{inner}}}"
    if isinstance(feature, (list, tuple)):
        return f"Sequence[{type_string(feature[0]) if feature else 'unknown'}]"
    if kind in ("List", "LargeList", "Sequence"):
        return f"Sequence[{type_string(feature.feature)}]"
    if kind == "Value":  # large_string / string_view are storage details: show "string"
        return str(feature.dtype).removeprefix("large_").removesuffix("_view")
    if kind.startswith("Array") and hasattr(feature, "shape"):
        return f"{kind}[{feature.dtype}]"
    return kind  # ClassLabel, Image, Audio, Video, Translation, Json...


def label_names(feature: Any) -> list[str] | None:
    """ClassLabel names of a field, or of the items of a list field."""
    kind = type(feature).__name__
    if kind == "ClassLabel":
        return list(feature.names)
    if kind in ("List", "LargeList", "Sequence"):
        return label_names(feature.feature)
    if isinstance(feature, (list, tuple)) and feature:
        return label_names(feature[0])
    return None


def to_features(features: Any, descriptions: dict[str, str] | None = None) -> list[Feature]:
    descriptions = descriptions or {}
    if not features:
        return []
    return [Feature(name, type_string(f), label_names(f), descriptions.get(name, ""))
            for name, f in features.items()]


def media_off(features: Any) -> Any:
    """A copy of the features with Image/Audio/Video decoding off (rows keep bytes/path)."""
    if features is None:
        return None
    changed = False
    out = {}
    for name, feat in features.items():
        if type(feat).__name__ in MEDIA and getattr(feat, "decode", False):
            feat = type(feat)(decode=False)
            changed = True
        out[name] = feat
    if not changed:
        return None
    from datasets import Features

    return Features(out)


def convert(value: Any, feature: Any) -> Any:
    """ClassLabel ints -> names, recursively through dicts and lists."""
    kind = type(feature).__name__
    if value is None:
        return None
    if kind == "ClassLabel":
        if isinstance(value, int) and 0 <= value < feature.num_classes:
            return feature.names[value]
        return None if value == -1 else value  # -1 is datasets' "no label"
    if kind in ("List", "LargeList", "Sequence") and isinstance(value, list):
        return [convert(v, feature.feature) for v in value]
    if isinstance(feature, (list, tuple)) and feature and isinstance(value, list):
        return [convert(v, feature[0]) for v in value]
    if isinstance(feature, dict) and isinstance(value, dict):
        return {k: convert(v, feature[k]) if k in feature else v for k, v in value.items()}
    if kind in MEDIA and isinstance(value, dict):
        return media_placeholder(kind, value)
    return value


def media_placeholder(kind: str, value: dict) -> str:
    data = value.get("bytes")
    size = f", {len(data)} bytes" if isinstance(data, (bytes, bytearray)) else ""
    path = value.get("path") or ""
    return f"<{kind}{': ' + str(path) if path else ''}{size}>"


def convert_row(row: dict[str, Any], features: Any) -> dict[str, Any]:
    if not features:
        return dict(row)
    return {k: convert(v, features[k]) if k in features else v for k, v in row.items()}


def cap(value: Any, limit: int = CELL_LIMIT) -> tuple[Any, bool]:
    """(value cut to about `limit` characters, whether anything was cut)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value, False
        return value[:limit] + f" … [cut: {len(value):,} characters in all]", True
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value):,} bytes>", len(value) > limit
    if isinstance(value, list):
        out, used, cut = [], 0, False
        for index, item in enumerate(value):
            if used >= limit:
                out.append(f"… [cut: {len(value) - index:,} more items]")
                return out, True
            item, item_cut = cap(item, limit - used)
            cut = cut or item_cut
            used += _size(item)
            out.append(item)
        return out, cut
    if isinstance(value, dict):
        out_d, used, cut = {}, 0, False
        for key, item in value.items():
            item, item_cut = cap(item, max(limit - used, 1))
            cut = cut or item_cut
            used += _size(item)
            out_d[key] = item
        return out_d, cut
    return value, False


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if isinstance(value, list):
        return sum(_size(v) for v in value) + len(value)
    if isinstance(value, dict):
        return sum(_size(v) + len(str(k)) for k, v in value.items())
    return 8


def display_row(row: dict[str, Any], features: Any, where: str,
                truncated: list[str], limit: int = CELL_LIMIT) -> dict[str, Any]:
    """A row for display: ClassLabel names, media as placeholders, big cells cut and listed."""
    out = {}
    for key, value in convert_row(row, features).items():
        value, cut = cap(value, limit)
        if cut:
            truncated.append(f"{where}/{key}")
        out[key] = value
    return out
