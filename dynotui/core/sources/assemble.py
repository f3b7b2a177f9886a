"""Shared steps of every source: configs from a card, streamed rows, and the DatasetMeta."""

from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator

from dynotui.core.catalog import catalog_verdicts
from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetMeta, DatasetRef, Verdict
from dynotui.core.sources.card import Card, card_configs, card_infos, card_list
from dynotui.core.sources.features import convert_row, display_row, media_off, to_features
from dynotui.core.text import one_line


def light_datasets() -> None:
    """datasets tuned for interactive streaming: no torch import (3-4 s), few read retries."""
    import os

    import datasets.config as dconfig

    if os.environ.get("DYNOTUI_DATASETS_TORCH", "") != "1":
        dconfig.TORCH_AVAILABLE = False
    # datasets retries a dropped stream 20 times, 5-60 s apart: minutes of a frozen panel
    try:
        retries = int(os.environ.get("DYNOTUI_STREAM_RETRIES") or 2)
    except ValueError:
        raise DatasetError("DYNOTUI_STREAM_RETRIES must be a whole number.") from None
    dconfig.STREAMING_READ_MAX_RETRIES = max(retries, 1)
    dconfig.STREAMING_READ_RETRY_INTERVAL = 1
    dconfig.STREAMING_READ_SERVER_UNAVAILABLE_RETRY_INTERVAL = 5
    dconfig.STREAMING_READ_RATE_LIMIT_RETRY_INTERVAL = 10
    # the builders log a failure and then raise it: the raise becomes our one message
    import logging

    logging.getLogger("datasets.packaged_modules").setLevel(logging.CRITICAL)
    # tqdm's thread_map deletes the class lock when it made it: with datasets read in
    # several threads, another thread then fails on `tqdm._lock`. A lock made here stays.
    from tqdm import tqdm

    tqdm.get_lock()


def config_names(card: Card | None) -> list[str]:
    """Configs declared in the card, default first; ['default'] when none are declared."""
    data = card.data if card else {}
    names = [str(c["config_name"]) for c in card_configs(data)]
    if not names:
        names = [n for n in card_infos(data) if n != "default"] or ["default"]
    return names


def pick_config(ref: DatasetRef, names: list[str]) -> str:
    if ref.config is None:
        return names[0]
    if ref.config not in names:
        raise DatasetError(f"{ref.id} has no config '{ref.config}'.",
                           f"Configs: {', '.join(names)}. Pass one with --config.")
    return ref.config


def card_features(card: Card | None, config: str) -> Any:
    """datasets Features declared in the card's dataset_info for this config, or None."""
    if not card or not card_infos(card.data):
        return None
    from datasets.info import DatasetInfosDict

    try:
        infos = DatasetInfosDict.from_dataset_card_data(card.data)
    except Exception:  # a card with a broken dataset_info: the data decides
        return None
    info = infos.get(config) or (infos.get("default") if len(infos) == 1 else None)
    return info.features if info else None


def card_split_sizes(card: Card | None, config: str) -> dict[str, int | None]:
    info = card_infos(card.data).get(config) if card else None
    sizes: dict[str, int | None] = {}
    for entry in (info or {}).get("splits") or []:
        if isinstance(entry, dict) and entry.get("name"):
            num = entry.get("num_examples")
            sizes[str(entry["name"])] = int(num) if isinstance(num, int) else None
    return sizes


def resolve_streamed(ds: Any) -> Any:
    """A dataset with known features and media left undecoded (no Pillow/torchcodec needed)."""
    if not hasattr(ds, "_resolve_features"):  # an in-memory Dataset (save_to_disk)
        off = media_off(ds.features)
        for name, feature in (off or {}).items():
            if feature != ds.features[name]:
                ds = ds.cast_column(name, feature)  # only flips decode: no data rewritten
        return ds
    if ds.features is None:
        ds = ds._resolve_features()  # datasets' own inference from the first rows
    if media_off(ds.features) is not None:
        ds = ds.decode(False)
    return ds


def take(ds: Any, n: int) -> list[dict[str, Any]]:
    return list(itertools.islice(iter(ds), n)) if n > 0 else []


def choose_splits(ref: DatasetRef, available: list[str]) -> list[str]:
    if ref.split is None:
        return available
    if ref.split not in available:
        raise DatasetError(f"{ref.key} has no split '{ref.split}'.",
                           f"Splits: {', '.join(available) or 'none'}. Pass one with --split.")
    return [ref.split]


def build_meta(ref: DatasetRef, name: str, card: Card | None, features: Any,
               splits: dict[str, int | None], raw_rows: dict[str, Iterable[dict[str, Any]]],
               configs: list[str], settings: Any = None, website: str | None = None,
               revision: str | None = None, extra_verdicts: list[Verdict] | None = None,
               ) -> DatasetMeta:
    """The DatasetMeta with display rows (names for labels, big cells cut) and catalog verdicts."""
    data = card.data if card else {}
    truncated: list[str] = []
    rows = {split: [display_row(r, features, f"{split}/{i}", truncated)
                    for i, r in enumerate(items)]
            for split, items in raw_rows.items()}
    descriptions = dict(card.field_descriptions) if card else {}
    if features:  # a card may describe the fields of several configs: keep this one's
        descriptions = {k: v for k, v in descriptions.items() if k.split(".")[0] in features}
    meta = DatasetMeta(
        ref=ref, name=name, pretty_name=str(data.get("pretty_name") or ""),
        summary=card.summary if card else "", card=card.text if card else "",
        field_descriptions=descriptions,
        license=card_list(data, "license"), languages=card_list(data, "language"),
        task_categories=card_list(data, "task_categories"), task_ids=card_list(data, "task_ids"),
        features=to_features(features, descriptions),
        configs=configs, splits=splits, revision=revision, website=website,
        rows=rows, truncated=truncated)
    deny = getattr(settings, "license_deny", None)
    allow = getattr(settings, "license_allow", None)
    meta.verdicts = catalog_verdicts(meta, deny, allow) + list(extra_verdicts or [])
    if card and card.problem:
        meta.verdicts.append(Verdict("card", False, card.problem, level="warning"))
    return meta


def wrap_load_error(exc: Exception, what: str, hint: str) -> DatasetError:
    """A datasets/pyarrow failure as a DatasetError naming the dataset."""
    if isinstance(exc, DatasetError):
        return exc
    if isinstance(exc, StopIteration):  # datasets found no first row to infer features from
        return DatasetError(f"Cannot read {what}: it has no rows (its data is empty, or a csv "
                            "holds only a header).", "Add rows, or pick another dataset.")
    first = one_line(str(exc)) or type(exc).__name__
    return DatasetError(f"Cannot read {what}: {type(exc).__name__}: {first}", hint)


def pick_split(dd: Any, ref: DatasetRef, split: str | None) -> str:
    """The asked split, else train, else validation, else the first; a clear error if absent."""
    split = split or ref.split or next((s for s in ("train", "validation") if s in dd),
                                       next(iter(dd)))
    if split not in dd:
        raise DatasetError(f"{ref.key} has no split '{split}'.", f"Splits: {', '.join(dd)}.")
    return split


def stream_rows(dd: Any, split: str, limit: int | None) -> Iterator[dict[str, Any]]:
    """At most `limit` rows of one streamed split, ClassLabel values as names."""
    ds = resolve_streamed(dd[split])
    for row in itertools.islice(ds, limit):
        yield convert_row(row, ds.features)
