"""hubplan names the same files per split as datasets' own default patterns and card configs."""

import os
from pathlib import Path

import pytest

from dynotui.core.sources.card import parse_card
from dynotui.core.sources.hubplan import plan, resolve

LAYOUTS = [
    ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
     "data/test-00000-of-00001.parquet", "README.md"],
    ["train.jsonl", "test.jsonl", "README.md"],
    ["data/train.jsonl", "data/dev.jsonl"],
    ["train/a.csv", "train/b.csv", "test/c.csv"],
    ["all.jsonl"],
    ["data/my_train_set.json", "data/eval.json"],
    ["a/b/training-1.parquet", "x/validation.parquet", "LICENSE", ".gitattributes"],
    ["data/foo.jsonl", "data/bar.jsonl"],
    ["train.tsv", "valid.tsv"],
    ["attest.jsonl", "contest.jsonl"],
    ["data/train-00000-of-00001-abc.parquet", "data/validation-00000-of-00001.parquet",
     "data/custom-00000-of-00001.parquet"],
    ["__pycache__/train.jsonl", "train.jsonl", ".hidden/test.jsonl"],
]


@pytest.mark.parametrize("files", LAYOUTS)
def test_default_splits_match_datasets(tmp_path, files):
    from datasets.data_files import DataFilesDict, get_data_patterns
    from datasets.packaged_modules import _ALL_ALLOWED_EXTENSIONS

    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = DataFilesDict.from_patterns(get_data_patterns(str(tmp_path)), str(tmp_path),
                                        allowed_extensions=_ALL_ALLOWED_EXTENSIONS)
    theirs = {str(k): [Path(os.path.relpath(f, tmp_path)).as_posix() for f in v]
              for k, v in found.items()}
    mine = plan(files, None, "default")
    assert mine is not None and mine.splits == theirs


def test_card_configs_and_what_is_left_to_datasets():
    card = parse_card("---\nconfigs:\n- config_name: a\n  data_files:\n  - split: train\n"
                      "    path: a/*.parquet\n- config_name: b\n  data_files: b.parquet\n"
                      "- config_name: c\n  data_files: c.parquet\n  sep: ';'\n---\n")
    files = ["a/1.parquet", "a/2.parquet", "b.parquet", "c.parquet", "README.md"]
    assert plan(files, card, "a").splits == {"train": ["a/1.parquet", "a/2.parquet"]}
    assert plan(files, card, "b").splits == {"train": ["b.parquet"]}
    assert plan(files, card, "c") is None  # a builder option: datasets reads it
    assert plan(files + ["x.py"], card, "a") is None  # a script
    assert plan(files + ["img/1.png"], card, "a") is None  # files of another kind
    assert plan(["t.jsonl", "u.csv"], None, "default") is None  # two formats
    assert plan(["train.jsonl", ".huggingface.yaml"], None, "default") is None
    many = [f"data/train-{i:05d}-of-01000.parquet" for i in range(1000)]
    assert plan(many[:999], None, "default") is not None
    assert plan(many, None, "default") is None  # a list the Hub may have cut short


def test_glob_parts():
    files = ["data/x.csv", "data/sub/y.csv", "z.csv", ".hidden/w.csv"]
    assert resolve("**", files) == ["data/sub/y.csv", "data/x.csv", "z.csv"]
    assert resolve("data/*", files) == ["data/x.csv"]
    assert resolve("data/**", files) == ["data/sub/y.csv", "data/x.csv"]
    assert resolve(".hidden/*", files) == [".hidden/w.csv"]
    assert resolve("[xz].csv", files) == ["z.csv"]
    assert resolve("[!x].csv", files) == ["z.csv"]
    assert resolve("./data/*", files) == ["data/x.csv"]
    assert resolve("[!]", ["[!]"]) == ["[!]"] and resolve("https://x/y.csv", files) == []
