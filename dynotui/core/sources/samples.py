"""The bundled sample datasets under dynotui/samples/ (Hub layout), and their index
(tools/make_samples.py rewrites it with the samples)."""

from __future__ import annotations

import json

from dynotui.core.durable import atomic_write
from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetEntry, DatasetRef
from dynotui.core.sampleindex import (FACTS, INDEX, SAMPLES_DIR, VERSION, card_digest,
                                      entry_from, read_index, sample_names)
from dynotui.core.sources.local import entry

__all__ = ["SAMPLES_DIR", "as_local", "build_index", "listing", "sample_names", "sample_path"]


def sample_path(name: str):
    if name not in sample_names():
        raise DatasetError(f"There is no bundled sample '{name}'.",
                           f"Bundled samples: {', '.join(sample_names())}.")
    return SAMPLES_DIR / name


def as_local(ref: DatasetRef) -> DatasetRef:
    """The same ref pointing at the sample's folder."""
    return DatasetRef("local", str(sample_path(ref.name)), ref.config, ref.split, None)


def from_cards() -> list[DatasetEntry]:
    return [entry(SAMPLES_DIR / name, "sample", name) for name in sample_names()]


def listing() -> list[DatasetEntry]:
    """Every sample's listing line (no verdicts): from the index, or the cards if it is stale."""
    lines = read_index()
    return [entry_from(line) for line in lines] if lines is not None else from_cards()


def build_index() -> dict:
    """The index as the cards give it today."""
    samples = []
    for item in from_cards():
        line = {"name": item.name, "card": card_digest(item.name)}
        line.update({k: getattr(item, k) for k in FACTS})
        samples.append(line)
    return {"version": VERSION, "samples": samples}


def write_index() -> None:
    text = json.dumps(build_index(), indent=1, ensure_ascii=False) + "\n"
    atomic_write(INDEX, text.encode("utf-8"))
