"""QA regressions: local files of awkward shapes read, or fail with a message naming what to do."""

import json

import pytest

from dynotui.cli import main
from dynotui.core.errors import DatasetError
from dynotui.core.sources import iter_rows, load_meta, parse_ref

HOSTILE = "[@click=app.quit]x[/] \x1b]0;title\x07 \u202eevil\u202c \x9b31m"


@pytest.fixture(autouse=True)
def hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-datasets"))


def _meta(path):
    return load_meta(parse_ref(str(path)), rows=10)


def test_semicolon_csv_is_split_into_its_columns(tmp_path):
    # Given a csv written with ; as the delimiter (common from spreadsheets)
    path = tmp_path / "semi.csv"
    path.write_text("text;label\nhello;pos\nbye;neg\n")
    # When it is read, then it has two fields
    meta = _meta(path)
    assert [f.name for f in meta.features] == ["text", "label"]
    assert meta.rows["train"][1] == {"text": "bye", "label": "neg"}


@pytest.mark.parametrize("content, splits", [
    ({"data": [{"q": "a?", "a": "1"}, {"q": "b?", "a": "2"}], "version": "1"}, {"train": 2}),
    ({"q": ["a?", "b?"], "a": ["1", "2"]}, {"train": 2}),
    ({"train": [{"q": "a?", "a": "1"}], "test": [{"q": "b?", "a": "2"}]}, {"train": 1, "test": 1}),
])
def test_a_json_object_holding_rows_gives_rows_not_one_row(tmp_path, content, splits):
    # Given a .json file that is one object wrapping the rows
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps(content))
    # When it is read, then the rows are the wrapped records (or columns)
    meta = _meta(path)
    assert [f.name for f in meta.features] == ["q", "a"]
    assert meta.splits == splits
    assert list(iter_rows(parse_ref(str(path))))[0]["q"] == "a?"


@pytest.mark.parametrize("name, content, words", [
    ("empty.jsonl", b"", "is empty"),
    ("blank.json", b"  \n\n", "is empty"),
    ("header.csv", b"a,b\n", "no rows"),
    ("binary.json", bytes(range(256)) * 8, "binary"),
    ("latin1.csv", "text,label\ncaf\xe9,pos\n".encode("latin-1"), "not UTF-8"),
    ("scalar.json", b"42", "single JSON int"),
    ("trunc.json", b'[{"a": 1},', "not valid JSON"),
    ("bad.jsonl", b'{"a": 1}\n{"a": 2}\nnot json\n{"a": 3}\n', "line 3"),
    ("amb.json", b'{"a": [{"x": 1}], "b": [{"y": 1}], "c": 3}', "several lists"),
])
def test_bad_files_name_the_problem_and_the_fix(tmp_path, name, content, words):
    # Given a data file that cannot give rows
    path = tmp_path / name
    path.write_bytes(content)
    # When it is read, then the message names it and the hint says what to do
    with pytest.raises(DatasetError) as err:
        _meta(path)
    assert words in err.value.message and str(path) in err.value.message
    assert err.value.hint and "StopIteration" not in err.value.message


def test_a_bad_line_after_many_good_ones_is_named_by_its_line_number(tmp_path):
    # Given 300 good lines then a broken one
    path = tmp_path / "deep.jsonl"
    path.write_text("".join(json.dumps({"t": f"r{i}", "l": "x"}) + "\n" for i in range(300))
                    + "{broken\n")
    # When opened, or every row is streamed (as export does), then the error names line 301
    with pytest.raises(DatasetError, match="line 301"):
        _meta(path)
    with pytest.raises(DatasetError, match="line 301"):
        list(iter_rows(parse_ref(str(path))))


def test_show_keeps_hostile_field_names_and_text_inert(tmp_path, capsys):
    # Given a file whose field names and values carry markup, escapes, bidi and C1 controls
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps({"text": HOSTILE, HOSTILE[:20]: "k"}) + "\n"
                            for _ in range(2)))
    # When shown for people, then the markup shows literally and no control byte is printed
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("┃ text"))
    assert "[@click=app.quit]x[/" in header
    assert not any(c in out for c in "\x1b\x07\u202e\x9b")
    # When shown as JSON, then it parses back to the same text and no such character is raw
    assert main(["show", str(path), "--json"]) == 0
    raw = capsys.readouterr().out
    assert not any(c in raw for c in "\x1b\x07\u202e\x9b")
    assert json.loads(raw)["rows"]["train"][0]["text"] == HOSTILE


def test_datasets_read_in_several_threads_keep_tqdms_lock(tmp_path):
    # Given a fresh process state where tqdm has no class lock yet
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm
    from tqdm.contrib.concurrent import thread_map

    from dynotui.core.sources.assemble import light_datasets

    if "_lock" in vars(tqdm):
        del tqdm._lock
    # When dynotui prepares datasets and datasets runs a thread_map (as it does per file list)
    light_datasets()
    thread_map(str, [1, 2], disable=True)
    # Then the lock is still there for the other threads that are reading
    assert hasattr(tqdm, "_lock")
    files = []
    for i in range(6):
        files.append(tmp_path / f"d{i}.jsonl")
        files[-1].write_text(json.dumps({"q": f"q{i}", "a": "x"}) + "\n")
    with ThreadPoolExecutor(6) as pool:
        metas = list(pool.map(_meta, files))
    assert [m.rows["train"][0]["q"] for m in metas] == [f"q{i}" for i in range(6)]


def test_a_folder_whose_card_has_broken_yaml_says_how_to_fix_it(tmp_path):
    # Given a Hub-layout folder whose card's front matter is not valid YAML
    (tmp_path / "README.md").write_text("---\nlicense: mit\n  bad: [unclosed\n---\n# x\n")
    (tmp_path / "train.jsonl").write_text('{"a": "1", "b": "2"}\n')
    # When it is read, then the message names the card and the hint says what to change
    with pytest.raises(DatasetError) as err:
        _meta(tmp_path)
    assert "README.md" in err.value.message and "YAML" in err.value.hint


def test_a_folder_that_lists_as_several_datasets_is_not_read_as_one(tmp_path):
    # Given a folder holding two datasets, each in its own subfolder
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.jsonl").write_text(json.dumps({"x": name, "y": "1"}) + "\n")
    # When the folder itself is shown, then it says it holds two and names one to use
    with pytest.raises(DatasetError) as err:
        _meta(tmp_path)
    assert "holds 2 datasets (a, b)" in err.value.message and str(tmp_path / "a") in err.value.hint
    # and each one still reads on its own
    assert _meta(tmp_path / "a").rows["train"][0]["x"] == "a"


@pytest.mark.parametrize("module, suffix", [("gzip", ".gz"), ("bz2", ".bz2"), ("lzma", ".xz")])
def test_compressed_jsonl_and_csv_files_read_like_plain_ones(tmp_path, module, suffix):
    # Given data.jsonl.gz (.bz2, .xz) and a ;-separated data.csv.gz, as datasets ship them
    import importlib

    opener = importlib.import_module(module).open
    jsonl = tmp_path / f"data.jsonl{suffix}"
    with opener(jsonl, "wt") as fh:
        fh.write('{"q": "a?", "a": "1"}\n{"q": "b?", "a": "2"}\n')
    csv = tmp_path / f"data.csv{suffix}"
    with opener(csv, "wt") as fh:
        fh.write("q;a\nc?;3\n")
    # When read, then rows and fields come back as for the plain files
    assert _meta(jsonl).rows["train"][1] == {"q": "b?", "a": "2"}
    assert _meta(csv).rows["train"][0] == {"q": "c?", "a": 3}
    # and a file that is not really compressed says so
    fake = tmp_path / f"fake.jsonl{suffix}"
    fake.write_text('{"q": "a?"}\n')
    with pytest.raises(DatasetError, match="not a valid"):
        _meta(fake)


def test_a_folder_of_compressed_split_files_is_one_dataset(tmp_path):
    # Given train.jsonl.gz and test.jsonl.gz side by side (no card)
    import gzip

    for split in ("train", "test"):
        with gzip.open(tmp_path / f"{split}.jsonl.gz", "wt") as fh:
            fh.write(json.dumps({"q": split, "a": "1"}) + "\n")
    # When the folder is read, then it is one dataset with both splits
    meta = _meta(tmp_path)
    assert sorted(meta.splits) == ["test", "train"]


def test_an_empty_folder_lists_no_dataset(tmp_path):
    # Given an empty folder, when listed, then there is nothing (not a dataset named after it)
    from dynotui.core.sources import list_datasets

    assert list_datasets("local", path=tmp_path) == []


def test_a_csv_row_with_one_field_too_many_keeps_values_in_their_columns(tmp_path):
    # Given a csv whose first row has one field more than the header
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2,3\n4,5\n")
    # When read, then a is 1 and b is 2 (pandas would make the 1 an index and shift the row)
    with pytest.warns(Warning):
        rows = _meta(path).rows["train"]
    assert rows[0]["a"] == 1 and rows[0]["b"] == 2 and rows[1] == {"a": 4, "b": 5}
