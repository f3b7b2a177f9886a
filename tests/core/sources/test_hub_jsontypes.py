"""jsontypes gives the features and values pyarrow.json gives for the chunks it accepts."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynotui.core.sources.jsontypes import parse_lines, read_chunk
from dynotui.core.sources.litefeatures import Unsupported, from_arrow_type

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False, width=64),
                    st.text(max_size=8), st.sampled_from(["2024-01-02 10:00:00", "12:30", "1e3"]))
pairs = st.fixed_dictionaries({"a": scalars, "b": scalars})
values = st.one_of(scalars, st.lists(scalars, max_size=3), pairs,
                   st.lists(pairs, max_size=2), st.lists(st.lists(scalars, max_size=2), max_size=2))
rows = st.lists(st.dictionaries(st.sampled_from(["x", "y", "z"]), values, max_size=3),
                min_size=1, max_size=6)


def arrow_view(chunk):
    import pyarrow.json as paj

    table = paj.read_json(io.BytesIO(chunk))
    features = {f.name: repr(from_arrow_type(f.type)) for f in table.schema}
    return features, table.to_pylist()


@settings(max_examples=300, deadline=None)
@given(rows)
def test_plain_chunks_read_as_arrow_reads_them(items):
    import pyarrow as pa

    chunk = "".join(json.dumps(r) + "\n" for r in items).encode()
    try:
        features, got = read_chunk(parse_lines(chunk), len(items))
    except Unsupported:
        return  # pyarrow (or datasets) reads those
    try:
        theirs = arrow_view(chunk)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        pytest.fail(f"we read a chunk pyarrow rejects ({exc}): {items}")
    assert ({k: repr(v) for k, v in features.items()}, got) == theirs


def test_date_like_strings_and_mixed_types_are_left_to_pyarrow():
    with pytest.raises(Unsupported):
        read_chunk(parse_lines(b'{"at": "2024-01-02 10:00:00"}\n'), 1)
    with pytest.raises(Unsupported):
        read_chunk(parse_lines(b'{"a": 1}\n{"a": "one"}\n'), 2)
