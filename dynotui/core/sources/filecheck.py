"""Single local files checked before `datasets` reads them: empty, binary, not UTF-8, odd shapes.

datasets reports these as StopIteration, ArrowInvalid "in row 2" or a UnicodeDecodeError;
here they become messages that name the file, the line, and what to do.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from dynotui.core import safejson
from dynotui.core.errors import DatasetError

HEAD = 64 * 1024
SHAPE_LIMIT = 256 * 1024 * 1024  # a .json object bigger than this is left to datasets as is
SCAN_LIMIT = 512 * 1024 * 1024  # bytes scanned to find a bad JSON line
TEXT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")
DELIMITERS = (";", "\t", "|")


COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}  # datasets reads these as is


def data_suffix(path: Path) -> str:
    """The data format's suffix: `.jsonl` for both `x.jsonl` and `x.jsonl.gz`."""
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix in COMPRESSED else suffix


def _open_bytes(path: Path):
    compression = COMPRESSED.get(path.suffix.lower())
    if compression is None:
        return path.open("rb")
    import importlib

    return importlib.import_module(compression).open(path, "rb")


def check_text(path: Path) -> str:
    """The file's first 64 KB (decompressed) as text; DatasetError when empty, binary, not UTF-8."""
    try:
        with _open_bytes(path) as handle:
            head = handle.read(HEAD)
    except (FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # noqa: BLE001 (gzip.BadGzipFile, EOFError, lzma.LZMAError...)
        raise DatasetError(f"{path} is not a valid {path.suffix.lstrip('.')} file ({exc}).",
                           "Check that the file is complete and what its name says.") from None
    if not head.strip():
        raise DatasetError(f"{path} is empty: it holds no rows.",
                           "Add rows to it (a csv needs a header line and rows), or pick "
                           "another file.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DatasetError(f"{path} is UTF-16 text; dynotui reads UTF-8.",
                           f"Convert it first: iconv -f UTF-16 -t UTF-8 '{path}' > NEW_FILE")
    if b"\0" in head:
        raise DatasetError(f"{path} is not a text file (it holds binary data), so it cannot be "
                           f"{data_suffix(path).lstrip('.')} data.",
                           "Check that the file is what its name says, or rename it to its "
                           "real type (e.g. .parquet).")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:  # not final: a character cut at the 64 KB boundary is fine
        text = decoder.decode(head, final=len(head) < HEAD)
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not UTF-8 text (byte 0x{head[exc.start]:02x} at offset "
                           f"{exc.start}).",
                           f"Convert it to UTF-8, e.g. iconv -f latin1 -t UTF-8 '{path}' > "
                           "NEW_FILE, then use the new file.") from None
    return text.lstrip("\ufeff")


def csv_options(path: Path, head: str) -> dict[str, Any]:
    """Reader options: tab for .tsv; for .csv a header with no comma but ; tab or | uses that."""
    # pandas makes the first column an index when a row has one field more than the header:
    # every value of that row would land one column to the left
    fixed: dict[str, Any] = {"index_col": False}
    if data_suffix(path) == ".tsv":
        return {**fixed, "delimiter": "\t"}
    header = head.splitlines()[0] if head.splitlines() else ""
    if "," in header:
        return fixed
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return {**fixed, "delimiter": best} if counts[best] else fixed


def json_object_splits(path: Path, head: str) -> dict[str, Any] | None:
    """For a .json file that is ONE object: its rows as {split: Dataset}, else None.

    `{"data": [{...}, ...], "version": 1}` gives the rows of the one list of objects;
    `{"train": [...], "test": [...]}` gives those splits; `{"a": [...], "b": [...]}` with
    lists of one length gives columns. Anything else is left to datasets (one row).
    """
    if path.suffix.lower() != ".json" or not head.lstrip().startswith("{"):
        return None
    if path.stat().st_size > SHAPE_LIMIT:
        return None
    try:
        data = safejson.loads(path.read_text(encoding="utf-8-sig"))
    except safejson.TooDeep as exc:
        raise DatasetError(f"{path} is {exc}; dynotui reads rows, not structures that deep.",
                           'Write a list of objects such as [{"text": ..., "label": ...}].') from exc
    except (ValueError, UnicodeDecodeError):
        return None  # JSON lines, or broken: datasets reads or reports it
    if not isinstance(data, dict) or not data:
        return None
    from datasets import Dataset

    records = {k: v for k, v in data.items()
               if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    if len(records) == 1:
        return {"train": Dataset.from_list(next(iter(records.values())))}
    if records and len(records) == len(data):
        return {str(k): Dataset.from_list(v) for k, v in records.items()}
    if records:
        raise DatasetError(f"{path} holds several lists of objects ({', '.join(records)}) and "
                           "dynotui cannot tell which one holds the rows.",
                           "Keep one list (or name them train/test...), or save each list "
                           "as its own .jsonl file.")
    lengths = {len(v) if isinstance(v, list) else -1 for v in data.values()}
    if len(lengths) == 1 and lengths != {-1} and lengths != {0}:
        return {"train": Dataset.from_dict(data)}  # columns: {"a": [...], "b": [...]}
    return None


def explain_json_failure(path: Path) -> DatasetError | None:
    """After datasets failed on a JSON file: the first bad line (JSON lines) or spot (one document)."""
    if path.suffix.lower() not in (".json", ".jsonl", ".ndjson") or path.stat().st_size > SCAN_LIMIT:
        return None
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if path.suffix.lower() == ".json":
        try:
            data = safejson.loads(text)
        except safejson.TooDeep as exc:
            return DatasetError(f"{path} is {exc}; dynotui reads rows, not structures that deep.",
                                'Write a list of objects such as [{"text": ..., "label": ...}].')
        except ValueError as exc:
            if getattr(exc, "msg", "") != "Extra data":  # "Extra data": JSON lines in a .json
                return DatasetError(f"{path} is not valid JSON: {exc}.",
                                    "Fix the file there (a .json file holds a list of objects), "
                                    "or write one object per line as .jsonl.")
        else:
            if not isinstance(data, (list, dict)) or (
                    isinstance(data, list) and not all(isinstance(x, dict) for x in data)):
                return DatasetError(f"{path} holds a JSON {type(data).__name__} whose items are "
                                    "not all objects." if isinstance(data, list) else
                                    f"{path} holds a single JSON {type(data).__name__}, not rows.",
                                    'Write a list of objects such as [{"text": ..., "label": ...}].')
            return None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = safejson.loads(line)
        except ValueError as exc:
            why = getattr(exc, "msg", exc)
            return DatasetError(f"{path}: line {number} is not valid JSON ({why}).",
                                "Fix or delete that line (the file holds one JSON object per "
                                "line), then try again.")
        if not isinstance(value, dict):
            return DatasetError(f"{path}: line {number} is a JSON {type(value).__name__}, "
                                "not an object.",
                                'Each line must be an object such as {"text": ..., "label": ...}.')
    return None
