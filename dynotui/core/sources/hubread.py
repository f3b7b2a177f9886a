"""The first rows of a Hub dataset's parquet, json lines or csv files, read over HTTP ranges.

No `datasets` import and no module factory: a parquet file's footer and first row group, or
the first chunk of a json/csv file (the same chunk `datasets` infers its features from), one
GET each. The features and rows are those `datasets` would give (hubplan picks the same
files); what this cannot mirror raises Unsupported and `datasets` reads it instead.
"""

from __future__ import annotations

import io
import re
from typing import Any, Callable

from dynotui.core.sources.hubclient import get
from dynotui.core.sources.jsontypes import parse_lines, read_chunk
from dynotui.core.sources.litefeatures import (Unsupported, Value, cast_row, from_arrow_type,
                                               from_schema)

TAIL = 1 << 20  # parquet: the last MiB first (footer and, for most samples, the whole file)
BLOCK = 1 << 20
JSON_CHUNK = 10 << 20  # datasets' json chunk (its features come from the first one)
CSV_CHUNK = 10_000  # rows per pandas chunk in datasets' csv reader
TRACE_MARKERS = ({"id", "source", "model", "system_prompt", "messages"},
                 {"type", "id", "version", "cwd"}, {"type", "message"}, {"type", "payload"})


def read_failure(exc: BaseException) -> bool:
    """A file we could fetch but not parse as datasets would: pyarrow, csv or text errors."""
    import csv

    module = type(exc).__module__ or ""
    return module.startswith("pyarrow") or isinstance(exc, (UnicodeDecodeError, csv.Error))


def fetch(url: str, start: int, end: int | None = None) -> tuple[bytes, int]:
    """Bytes [start, end] of a file (start < 0: the last -start bytes) and the file's size."""
    span = f"bytes={start}-" + ("" if end is None else str(end)) if start >= 0 else \
        f"bytes={start}"
    try:
        response = get(url, headers={"Range": span})
    except Exception as exc:  # an empty file answers 416 to any range
        response = getattr(exc, "response", None)
        if getattr(response, "status_code", None) != 416:
            raise
        return b"", int(response.headers.get("Content-Range", "*/0").rsplit("/", 1)[-1] or 0)
    data = response.content
    if response.status_code == 206:
        total = response.headers.get("Content-Range", "").rsplit("/", 1)[-1]
        return data, int(total) if total.isdigit() else start + len(data)
    if start > 0:
        data = data[start:None if end is None else end + 1]
    return data, len(response.content)


class RangeFile(io.RawIOBase):
    """A remote file pyarrow can seek in: reads become HTTP range requests, blocks are kept."""

    def __init__(self, url: str, size: int, known: dict[int, bytes]):
        self.url, self.size, self.blocks, self.pos = url, size, dict(known), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else \
            self.size + offset
        return self.pos

    def _cached(self, start: int, length: int) -> bytes | None:
        for at, data in self.blocks.items():
            if at <= start and start + length <= at + len(data):
                return data[start - at:start - at + length]
        return None

    def readinto(self, buffer: Any) -> int:
        length = min(len(buffer), max(self.size - self.pos, 0))
        if length <= 0:
            return 0
        data = self._cached(self.pos, length)
        if data is None:
            end = min(self.pos + max(length, BLOCK), self.size) - 1
            self.blocks[self.pos] = fetch(self.url, self.pos, end)[0]
            data = self._cached(self.pos, length) or b""
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


def parquet_rows(url: str, wanted: int) -> tuple[Any, list[dict[str, Any]]]:
    """(the file's Arrow schema, its first `wanted` rows)."""
    import pyarrow.parquet as pq

    tail, size = fetch(url, -TAIL)
    handle = RangeFile(url, size, {size - len(tail): tail})
    parquet = pq.ParquetFile(handle)
    rows: list[dict[str, Any]] = []
    if wanted > 0 and parquet.metadata.num_rows:
        for batch in parquet.iter_batches(batch_size=max(wanted, 1)):
            rows += batch.to_pylist()[:wanted - len(rows)]
            if len(rows) >= wanted:
                break
    return parquet.schema_arrow, rows


def _whole_lines(url: str, start: int) -> tuple[bytes, int, bool]:
    """A chunk from `start` ending at a line end (as datasets' read + readline), the next
    offset, and whether the file ends there."""
    data, size = fetch(url, start, start + JSON_CHUNK - 1)
    end = start + len(data)
    while end < size and not data.endswith(b"\n"):
        more, _ = fetch(url, end, min(end + (64 << 10), size) - 1)
        if not more:
            break
        cut = more.find(b"\n")
        data += more if cut < 0 else more[:cut + 1]
        end += len(more) if cut < 0 else cut + 1
    return data, end, end >= size


def _mixed(items: list) -> bool:
    """Objects whose keys differ, or values mixing objects/lists and scalars, somewhere below
    the top (datasets stores those fields as Json)."""
    todo: list[tuple[bool, list]] = [(True, items)]
    while todo:
        top, content = todo.pop()
        content = [x for x in content if x is not None]
        if not content:
            continue
        if all(isinstance(x, dict) for x in content):
            if not top and (not content[0] or any(set(x) != set(content[0]) for x in content)):
                return True
            for key in {k for x in content for k in x}:
                todo.append((False, [x[key] for x in content if key in x]))
        elif all(isinstance(x, list) for x in content):
            todo.append((False, [v for x in content for v in x]))
        elif any(isinstance(x, (dict, list)) for x in content):
            return True
    return False


def _json_table(batch: bytes) -> Any:
    import pyarrow as pa
    import pyarrow.json as paj

    block = max(JSON_CHUNK // 32, 16 << 10)
    block = len(batch) if len(batch) // 8 > block else block
    while True:
        try:
            table = paj.read_json(io.BytesIO(batch), read_options=paj.ReadOptions(block_size=block))
            table.validate()
            return table
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            text = str(exc)
            if ("straddling" in text or "JSON conversion to" in text) and block < len(batch):
                block *= 2
                continue
            raise Unsupported(f"json: {text}") from exc


def _parse(batch: bytes, wanted: int, parsed: list | None
           ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(features, first rows) of a json lines chunk: in Python when plain, else with pyarrow."""
    try:
        return read_chunk(parsed if parsed is not None else parse_lines(batch), wanted)
    except Unsupported:
        table = _json_table(batch)
        return ({f.name: from_arrow_type(f.type) for f in table.schema},
                table.slice(0, wanted).to_pylist())


def json_rows(url: str, wanted: int, features: Any, first: bool
              ) -> tuple[Any, list[dict[str, Any]]]:
    """(features, first rows) of a json lines file; `first`: the file datasets infers from."""
    rows: list[dict[str, Any]] = []
    start, done, index = 0, False, 0
    while not done and (len(rows) < wanted or (first and index == 0)):
        batch, start, done = _whole_lines(url, start)
        if index == 0 and batch.startswith(b"\xef\xbb\xbf"):
            batch = batch[3:]
        if not batch.strip():
            break
        if batch.lstrip().startswith(b"["):
            raise Unsupported("a json array file")
        infer = first and index == 0 and features is None
        try:
            parsed: list | None = parse_lines(batch)
        except Unsupported:
            parsed = None  # pyarrow may still read it (datasets skips its check then)
        if infer and (parsed is None or _mixed(parsed) or
                      any(not line.strip() for line in batch.splitlines())):
            raise Unsupported("mixed json types, or lines datasets does not check for them")
        found, got = _parse(batch, wanted - len(rows), parsed)
        if infer:
            features = found
            if any(marks <= set(features) for marks in TRACE_MARKERS):
                raise Unsupported("agent traces")
            rows += got
        else:
            rows += [cast_row(r, features) for r in got]
        index += 1
    return features, rows[:wanted]


NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
BOOLS = {"True": True, "TRUE": True, "true": True, "False": False, "FALSE": False,
         "false": False}
INT = re.compile(r"[+-]?\d+\Z")
FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
ODD = re.compile(r"(?i)[+-]?(inf|infinity)\Z")


def _column(cells: list[str]) -> Callable[[str], Any]:
    """How pandas types a csv column it reads in one chunk: int, float, bool, else text."""
    present = [c for c in cells if c not in NA]
    if any(ODD.match(c.strip()) or c != c.strip() and (FLOAT.match(c.strip()) or
                                                       c.strip() in BOOLS) for c in present):
        raise Unsupported("csv values pandas may read otherwise")
    if any(INT.match(c) and not -2**63 <= int(c) < 2**63 for c in present):
        raise Unsupported("csv integers beyond int64")
    if not present:
        return lambda c: None
    if all(INT.match(c) for c in present) and len(present) == len(cells):
        return lambda c: int(c)
    if all(FLOAT.match(c) for c in present):
        return lambda c: None if c in NA else float(c)
    if all(c in BOOLS for c in present):
        return lambda c: BOOLS.get(c)
    return lambda c: None if c in NA else c


def csv_rows(url: str, wanted: int, features: Any, first: bool, sep: str
             ) -> tuple[Any, list[dict[str, Any]]]:
    """(features, first rows) of a csv/tsv file, typed as datasets' pandas reader types them."""
    import csv

    batch, _, done = _whole_lines(url, 0)
    text = batch.decode("utf-8-sig")
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if r]
    if not done:
        records = records[:-1]  # the read may end inside a quoted field
    if not records:
        raise Unsupported("an empty csv")
    header, body = records[0], records[1:CSV_CHUNK + 1]
    if not done and (len(body) < CSV_CHUNK or wanted > CSV_CHUNK):
        raise Unsupported("a csv whose first pandas chunk is longer than the first read")
    if len(set(header)) != len(header) or any(not h for h in header) or \
            any(len(r) != len(header) for r in body):
        raise Unsupported("csv header or ragged rows")
    if features is not None:
        if set(features) != set(header):
            raise Unsupported("csv columns differ from the card's features")
        raw = [dict(zip(header, r)) for r in body[:wanted]]
        return features, [cast_row({k: _typed(v, features[k]) for k, v in r.items()}, features)
                          for r in raw]
    columns = {h: _column([r[i] for r in body]) for i, h in enumerate(header)}
    rows = [{h: columns[h](r[i]) for i, h in enumerate(header)} for r in body]
    if first:  # datasets types a csv from its first five rows
        if not rows:
            raise Unsupported("a csv without rows")
        features = {h: _head_type([r[h] for r in rows[:5]]) for h in header}
    return features, rows[:wanted]


def _head_type(values: list[Any]) -> Value:
    """The type Arrow gives a column of a csv's first rows (one type per pandas column)."""
    kinds = {type(v).__name__ for v in values if v is not None}
    names = {"int": "int64", "float": "float64", "bool": "bool", "str": "string"}
    if not kinds:
        return Value("null")
    if len(kinds) != 1 or not kinds <= set(names):
        raise Unsupported("csv head types")
    return Value(names[kinds.pop()])


def _typed(cell: str, feature: Any) -> Any:
    """A csv cell read with the dtype datasets gives pandas for a card feature."""
    dtype = getattr(feature, "dtype", None)
    if cell in NA:
        if dtype in (None, "string", "large_string") or dtype.startswith("float"):
            return None
        raise Unsupported("a missing csv value in a non-float column")
    if dtype is None or dtype in ("string", "large_string"):
        return cell
    if dtype.startswith(("int", "uint")) and INT.match(cell):
        return int(cell)
    if dtype.startswith("float") and FLOAT.match(cell):
        return float(cell)
    raise Unsupported(f"csv cell as {dtype}")


class Reading:
    """Features across a config's splits: the card's, else those datasets infers from the
    first file of the first split (its schema kept: other parquet files are cast to it)."""

    def __init__(self, reader: str, features: Any, sep: str = ","):
        self.reader, self.features, self.sep = reader, features, sep
        self.declared = features is not None
        self.schema: Any = None

    def split(self, urls: list[str], wanted: int) -> list[dict[str, Any]]:
        """Up to `wanted` rows from a split's files, in order."""
        rows: list[dict[str, Any]] = []
        for url in urls:
            infer = self.features is None
            if len(rows) >= wanted and not infer:
                break
            rows += self._file(url, wanted - len(rows), infer)
        if self.features is None:
            raise Unsupported("no features from the first file")
        return rows[:wanted]

    def _file(self, url: str, need: int, infer: bool) -> list[dict[str, Any]]:
        if self.reader == "parquet":
            schema, got = parquet_rows(url, need)
            if infer:
                self.features, self.schema = from_schema(schema), schema
            if self.declared or schema != self.schema:
                got = [cast_row(r, self.features) for r in got]
            return got
        if self.reader == "json":
            self.features, got = json_rows(url, need, self.features, infer)
        else:  # without declared features datasets casts nothing: each file is typed alone
            found, got = csv_rows(url, need, self.features if self.declared else None, infer,
                                  self.sep)
            self.features = self.features or found
        return got
