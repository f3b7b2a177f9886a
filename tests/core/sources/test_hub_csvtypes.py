"""hubread types csv cells as datasets' reader does (pandas read_csv, then Arrow), or declines."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynotui.core.sources import hubread
from dynotui.core.sources.litefeatures import Unsupported

CELLS = ["1", "-2", "3.5", "1e3", "", "NA", "null", "True", "false", "TRUE", "x", " 1", "inf",
         "007", "+4", ".5", "5.", "a b", "1,5", "None", "2024-01-02", "9" * 20, "0"]


def pandas_rows(text):
    import pandas as pd
    import pyarrow as pa

    frame = next(iter(pd.read_csv(io.StringIO(text), iterator=True, chunksize=10_000)))
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(CELLS), min_size=3, max_size=3), min_size=1,
                max_size=6))
def test_csv_cells_typed_as_pandas_types_them(table):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["a", "b", "c"], *table])
    data = out.getvalue().encode()
    original = hubread._whole_lines
    hubread._whole_lines = lambda url, start: (data, len(data), True)
    try:
        try:
            _, ours = hubread.csv_rows("file.csv", 100, None, True, ",")
        except Unsupported:
            return
    finally:
        hubread._whole_lines = original
    try:
        theirs = pandas_rows(out.getvalue())
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"we read a csv pandas/Arrow reject ({exc!r})")
    assert ours == theirs
