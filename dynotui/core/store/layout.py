"""Where things live in a workspace folder, and the schema version."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# 1: one TinyDB file `store.json` (whole-file rewrite per write; see migrate.py)
# 2: index.json + datasets/<slug>.json + decisions/<annotator>/<session>-<n>.jsonl
SCHEMA = 2
INDEX = "index.json"
LOCK = ".lock"
DATASETS = "datasets"
DECISIONS = "decisions"
LEGACY_V1 = "store.json"
ROLL_EVENTS = 500  # events per file before a session starts its next file


def slug(text: str, limit: int = 60) -> str:
    """A safe, readable file name for any id; the hash keeps different ids apart."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:limit] or "x"
    return f"{safe}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def dataset_path(workspace: Path, dataset_id: str) -> Path:
    return workspace / DATASETS / f"{slug(dataset_id)}.json"


def annotator_dir(workspace: Path, annotator: str) -> Path:
    return workspace / DECISIONS / slug(annotator, 40)
