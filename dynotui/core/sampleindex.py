"""What a listing shows of each bundled sample, read from samples/index.json instead of the
cards, so the first screen lists them in its first frame (reading the cards costs the YAML
parser and the whole sources package, about 0.1 s at start-up).

tools/make_samples.py builds the index from the cards (sources.samples.write_index; a test
checks it is current). It keeps each card's digest: when a card differs, the index is not used
and the caller reads the cards as before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from dynotui.core.catalog import listing_verdicts
from dynotui.core.models import DatasetEntry, DatasetRef

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
INDEX = SAMPLES_DIR / "index.json"
VERSION = 1
FACTS = ("pretty_name", "license", "languages", "task_categories", "fields")


def sample_names() -> list[str]:
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in SAMPLES_DIR.iterdir() if (p / "README.md").is_file())


def card_digest(name: str) -> str:
    return hashlib.sha256((SAMPLES_DIR / name / "README.md").read_bytes()).hexdigest()


def read_index() -> list[dict[str, Any]] | None:
    """The index's lines, or None when it is missing, damaged or does not match the cards."""
    try:
        data = json.loads(INDEX.read_text(encoding="utf-8"))
        lines = data["samples"] if data.get("version") == VERSION else None
        if lines is None or [line["name"] for line in lines] != sample_names():
            return None
        if any(line["card"] != card_digest(line["name"]) for line in lines):
            return None
        return lines
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def entry_from(line: dict[str, Any]) -> DatasetEntry:
    return DatasetEntry(ref=DatasetRef("sample", line["name"]), name=line["name"],
                        pretty_name=str(line["pretty_name"]),
                        **{k: [str(v) for v in line[k]] for k in FACTS[1:]})


def indexed_entries(settings: Any = None) -> list[DatasetEntry] | None:
    """Every bundled sample's listing line with its catalog verdicts, from the index (None
    when the index cannot be used)."""
    lines = read_index()
    if lines is None:
        return None
    try:
        entries = [entry_from(line) for line in lines]
    except (KeyError, TypeError):
        return None
    for item in entries:
        item.verdicts = listing_verdicts(item, settings)
    return entries
