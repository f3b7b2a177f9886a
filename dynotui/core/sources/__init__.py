"""Where datasets come from: bundled samples, local folders/files, the Hugging Face Hub.

One API for all three: parse_ref, load_meta, iter_rows, list_datasets, sample_names.
Heavy libraries (datasets, huggingface_hub, pyarrow) are imported inside functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from dynotui.core.catalog import listing_verdicts
from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetEntry, DatasetMeta, DatasetRef
from dynotui.core.sources import hub, local, samples
from dynotui.core.sources.hub import list_hub
from dynotui.core.sources.local import list_local, matches
from dynotui.core.sources.refs import FORMS, parse_ref
from dynotui.core.sources.samples import SAMPLES_DIR, sample_names

__all__ = ["FORMS", "SAMPLES_DIR", "iter_rows", "list_datasets", "load_meta", "parse_ref",
           "sample_names"]


def load_meta(ref: DatasetRef, rows: int = 100, settings: Any = None) -> DatasetMeta:
    """Metadata and up to `rows` display rows per split of one dataset config."""
    if rows < 0:
        raise DatasetError(f"Row count must be 0 or more, not {rows}.")
    if ref.source == "sample":
        where = samples.as_local(ref)
        try:
            meta = local.load_meta(where, rows, settings, name=ref.name)
        except DatasetError as exc:  # name the sample, not its folder
            raise DatasetError(exc.message.replace(where.id, ref.id), exc.hint) from exc
        meta.ref = DatasetRef("sample", ref.name, meta.ref.config, ref.split, None)
        return meta
    if ref.source == "local":
        return local.load_meta(ref, rows, settings)
    if ref.source == "hub":
        return hub.load_meta(ref, rows, settings)
    raise DatasetError(f"Unknown dataset source '{ref.source}'.", f"Use one of: {FORMS}.")


def iter_rows(ref: DatasetRef, split: str | None = None, limit: int | None = None
              ) -> Iterator[dict[str, Any]]:
    """Streamed rows with ClassLabel values as names and full (uncut) values."""
    if ref.source == "sample":
        return local.iter_rows(samples.as_local(ref), split, limit)
    if ref.source == "local":
        return local.iter_rows(ref, split, limit)
    if ref.source == "hub":
        return hub.iter_rows(ref, split, limit)
    raise DatasetError(f"Unknown dataset source '{ref.source}'.", f"Use one of: {FORMS}.")


def list_datasets(source: str = "sample", path: str | Path | None = None,
                  search: str | None = None, limit: int = 50, offset: int = 0,
                  sort: str | None = None, filters: dict[str, Any] | None = None,
                  settings: Any = None) -> list[DatasetEntry]:
    """Listing lines (no rows read) with catalog verdicts from what the listing knows."""
    if limit < 0 or offset < 0:
        raise DatasetError("--limit and offset must be 0 or more.")
    if source == "hub":
        entries = list_hub(search, limit, offset, sort, filters)
    elif source in ("sample", "local"):
        if source == "sample":
            entries = [e for e in samples.listing()
                       if matches(e, search, filters)][offset:offset + limit]
        else:  # cards are read for the lines returned only
            entries = list_local(path, search, filters, offset, limit)
    else:
        raise DatasetError(f"Unknown source '{source}'.", "Sources: sample, local, hub.")
    for item in entries:
        item.verdicts = listing_verdicts(item, settings)
    return entries
