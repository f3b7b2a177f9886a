"""Dataset identifiers: `sample:NAME`, `local:PATH` (or a path), `hub:ORG/NAME` (or ORG/NAME)."""

from __future__ import annotations

import re
from pathlib import Path

from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetRef
from dynotui.core.sources.samples import sample_names
from dynotui.core.text import escape

FORMS = ("sample:NAME (a bundled sample), local:PATH or an existing path (a folder or a "
         "parquet/jsonl/json/csv file), hub:ORG/NAME or ORG/NAME (a Hugging Face Hub dataset); "
         "append @REVISION to pin a Hub revision")
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.\-]{0,95}/)?[A-Za-z0-9][\w.\-]{0,95}$")
_REVISION = re.compile(r"^[\w.\-/]{1,200}$")


def _bad(text: str, why: str, hint: str = "") -> DatasetError:
    return DatasetError(f"Unknown dataset '{text}': {why}.", hint or f"Use one of: {FORMS}.")


def _valid_hub_id(name: str) -> bool:
    return bool(_HUB_ID.match(name)) and "--" not in name and ".." not in name \
        and not name.endswith((".", "-"))


def _split_revision(text: str) -> tuple[str, str | None]:
    if "@" not in text:
        return text, None
    base, _, revision = text.rpartition("@")
    if not base or not _REVISION.match(revision):
        raise _bad(text, f"'{revision}' is not a revision (a branch, tag or commit sha)")
    return base, revision


def _hub(text: str, name: str, revision: str | None, config, split) -> DatasetRef:
    if not _valid_hub_id(name):
        raise _bad(text, f"'{name}' is not a Hub dataset id (ORG/NAME of letters, digits, "
                   "'-', '_' and '.')")
    return DatasetRef("hub", name, config, split, revision)


def _local(text: str, path: str, config, split) -> DatasetRef:
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise DatasetError(f"No such file or folder: '{path}' (from '{text}').",
                           "Give an existing folder in Hub layout, a save_to_disk folder, or a "
                           "parquet/jsonl/json/csv file.")
    return DatasetRef("local", str(resolved.resolve()), config, split, None)


def parse_ref(text: str, config: str | None = None, split: str | None = None) -> DatasetRef:
    """Turn what the user typed into a DatasetRef; unknown or ambiguous text raises DatasetError."""
    raw = (text or "").strip()
    if not raw:
        raise _bad(text, "it is empty")
    if any(ord(c) < 32 for c in raw):
        raise _bad(escape(raw), "it contains control characters")
    prefix, sep, rest = raw.partition(":")
    if sep and prefix == "sample":
        name, revision = _split_revision(rest)
        if revision:
            raise _bad(raw, "bundled samples have no revisions", "Drop the '@...' part.")
        names = sample_names()
        if name not in names:
            raise _bad(raw, "there is no bundled sample by that name",
                       f"Bundled samples: {', '.join(names)}.")
        return DatasetRef("sample", name, config, split, None)
    if sep and prefix == "local":
        return _local(raw, rest, config, split)
    if sep and prefix == "hub":
        name, revision = _split_revision(rest)
        return _hub(raw, name, revision, config, split)
    if Path(raw).expanduser().exists():
        return _local(raw, raw, config, split)
    if sep and len(prefix) > 1:
        raise _bad(raw, f"'{prefix}:' is not a known source (sample, local, hub)")
    name, revision = _split_revision(raw)
    if "/" in name and name.count("/") == 1 and _valid_hub_id(name):
        return DatasetRef("hub", name, config, split, revision)
    if name in sample_names():
        raise _bad(raw, "it could be a bundled sample or a Hub dataset",
                   f"Write sample:{name} for the bundled sample or hub:{name} for the Hub.")
    if "/" in name or name.startswith((".", "~")):
        raise DatasetError(f"No such file or folder: '{raw}', and it is not a Hub id (ORG/NAME).",
                           f"Check the path, or use one of: {FORMS}.")
    raise _bad(raw, "it names no source",
               f"Use one of: {FORMS}. For a Hub dataset without an organisation write hub:{name}.")


def filter_id(text: str) -> str:
    """A --dataset filter as typed; an existing path (or local:PATH) becomes its stored local: id."""
    raw = (text or "").strip()
    path = raw[len("local:"):] if raw.startswith("local:") else raw
    try:
        resolved = Path(path).expanduser()
        if path and not raw.startswith(("sample:", "hub:")) and resolved.exists():
            return f"local:{resolved.resolve()}"
    except OSError:  # a name too long for a path, and so on: not a path
        pass
    return raw
