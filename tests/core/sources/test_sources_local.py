"""Bundled samples and local data: Hub-layout folders, save_to_disk folders, single files."""

import json

import pytest

from dynotui.core.errors import DatasetError
from dynotui.core.sources import (SAMPLES_DIR, iter_rows, list_datasets, load_meta, parse_ref,
                                  sample_names)


@pytest.fixture(autouse=True)
def hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-datasets"))


def test_every_sample_loads_with_its_declared_features_and_passes_the_catalog():
    from datasets import load_dataset_builder

    for name in sample_names():
        meta = load_meta(parse_ref(f"sample:{name}"), rows=3)
        builder = load_dataset_builder(str(SAMPLES_DIR / name), meta.ref.config)
        declared = builder.info.features
        assert [f.name for f in meta.features] == list(declared), name
        assert meta.passes, (name, meta.verdicts)
        assert meta.summary and meta.license and meta.languages == ["en"]
        assert set(meta.field_descriptions) >= set(meta.field_names), name
        sizes = meta.splits
        assert all(isinstance(n, int) and 40 <= sum(sizes.values()) <= 200 for n in sizes.values())
        assert all(len(rows) == 3 for rows in meta.rows.values())


def test_classlabel_values_come_back_as_names():
    sst = load_meta(parse_ref("sample:sst-mini"), rows=100)
    assert {r["label"] for r in sst.rows["train"]} == {"negative", "positive"}
    assert sst.feature_map["label"].label_names == ["negative", "positive"]
    ner = load_meta(parse_ref("sample:ner-tokens"), rows=5)
    row = ner.rows["train"][0]
    assert len(row["tokens"]) == len(row["ner_tags"]) and "O" in row["ner_tags"]
    assert ner.feature_map["ner_tags"].type == "Sequence[ClassLabel]"


def test_nested_answers_are_real_spans_of_the_context():
    qa = load_meta(parse_ref("sample:reading-qa"), rows=50)
    assert qa.feature_map["answers"].type.startswith("dict{text: Sequence[string]")
    for row in qa.sample_rows():
        for text, start in zip(row["answers"]["text"], row["answers"]["answer_start"]):
            assert row["context"][start:start + len(text)] == text


def test_two_configs_default_first_and_explicit_choice():
    default = load_meta(parse_ref("sample:support-tickets"), rows=1)
    assert default.ref.config == "intent" and default.configs == ["intent", "replies"]
    replies = load_meta(parse_ref("sample:support-tickets", config="replies", split="test"), 2)
    assert replies.field_names == ["ticket", "reply"] and list(replies.rows) == ["test"]
    assert replies.splits == {"test": 6}
    with pytest.raises(DatasetError, match="no config 'x'"):
        load_meta(parse_ref("sample:support-tickets", config="x"))
    with pytest.raises(DatasetError, match="no split 'dev'"):
        load_meta(parse_ref("sample:sst-mini", split="dev"))


def test_iter_rows_streams_full_values_with_label_names():
    rows = list(iter_rows(parse_ref("sample:science-choice"), split="test"))
    assert len(rows) == 10 and all(r["answer"] in "ABCD" for r in rows)
    assert len(list(iter_rows(parse_ref("sample:sst-mini"), limit=7))) == 7


def _rows():
    return [{"question": f"What is {i} plus {i}?", "answer": str(2 * i)} for i in range(12)]


@pytest.mark.parametrize("suffix", ["jsonl", "json", "csv", "parquet"])
def test_single_files_have_inferred_features_and_a_card_when_there_is_one(tmp_path, suffix):
    import pandas as pd

    path = tmp_path / f"sums.{suffix}"
    frame = pd.DataFrame(_rows())
    {"jsonl": lambda: frame.to_json(path, orient="records", lines=True),
     "json": lambda: path.write_text(json.dumps(_rows())),
     "csv": lambda: frame.to_csv(path, index=False),
     "parquet": lambda: frame.to_parquet(path)}[suffix]()
    (tmp_path / "README.md").write_text("---\nlicense: mit\nlanguage: en\n---\n\n"
                                        "Sums of small numbers written as questions.\n")
    meta = load_meta(parse_ref(str(path)), rows=5)
    assert meta.ref.source == "local" and meta.name == "sums"
    assert meta.field_names == ["question", "answer"]
    assert meta.feature_map["question"].type == "string"
    assert meta.rows["train"][1] == {"question": "What is 1 plus 1?", "answer": "2"} or \
        meta.rows["train"][1]["answer"] == 2  # csv infers integers
    assert meta.license == ["mit"] and meta.summary.startswith("Sums")


def test_save_to_disk_folder_keeps_classlabels_and_exact_sizes(tmp_path):
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    feats = Features({"text": Value("string"), "label": ClassLabel(names=["no", "yes"])})
    dd = DatasetDict({"train": Dataset.from_dict({"text": ["a b", "c d", "e f"],
                                                  "label": [0, 1, 1]}, features=feats),
                      "test": Dataset.from_dict({"text": ["g"], "label": [0]}, features=feats)})
    dd.save_to_disk(str(tmp_path / "saved"))
    meta = load_meta(parse_ref(f"local:{tmp_path / 'saved'}"), rows=2)
    assert meta.splits == {"train": 3, "test": 1}
    assert meta.rows["train"] == [{"text": "a b", "label": "no"}, {"text": "c d", "label": "yes"}]
    assert [r["label"] for r in iter_rows(meta.ref, split="train")] == ["no", "yes", "yes"]
    assert not meta.passes  # no card: no license
    assert "no license" in {v.rule: v for v in meta.verdicts}["license"].reason


def test_image_dataset_is_flagged_and_rows_hold_placeholders(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32  # never decoded: Pillow is not needed
    root = tmp_path / "img"
    (root / "data").mkdir(parents=True)
    pq.write_table(pa.table({"image": [{"bytes": png, "path": "red.png"}],
                             "caption": ["a red square"]}), root / "data" / "train.parquet")
    (root / "README.md").write_text(
        "---\nlicense: mit\nlanguage: en\ndataset_info:\n  features:\n  - name: image\n"
        "    dtype: image\n  - name: caption\n    dtype: string\n---\n\nRed squares.\n")
    meta = load_meta(parse_ref(str(root)), rows=1)
    assert meta.feature_map["image"].type == "Image"
    media = {v.rule: v for v in meta.verdicts}["media"]
    assert not media.ok and "image (Image)" in media.reason
    assert meta.rows["train"][0]["image"] == "<Image: red.png, 40 bytes>"


def test_a_10_mb_cell_in_a_local_file_is_cut_and_listed(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": "word " * 2_000_000, "label": "x"}) + "\n"
                    + json.dumps({"text": "small", "label": "y"}) + "\n")
    meta = load_meta(parse_ref(str(path)), rows=5)
    assert meta.truncated == ["train/0/text"]
    assert len(meta.rows["train"][0]["text"]) < 100_100
    assert meta.rows["train"][1]["text"] == "small"
    full = next(iter_rows(meta.ref))
    assert len(full["text"]) == 10_000_000  # iter_rows gives full values


def test_unreadable_and_unknown_files_get_clear_errors(tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"a": 1}\n{not json at all\n')
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref(str(bad)))
    assert str(bad) in err.value.message and err.value.hint
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    with pytest.raises(DatasetError, match="not a data file"):
        load_meta(parse_ref(str(odd)))


def test_listing_samples_and_a_local_folder(tmp_path):
    samples = list_datasets("sample")
    assert [e.name for e in samples] == sample_names()
    assert all(e.fields and e.verdicts and e.license for e in samples)
    assert [e.name for e in list_datasets("sample", search="qa")] == ["reading-qa"]
    assert [e.name for e in list_datasets("sample", filters={"license": "mit"})] == \
        ["ner-tokens", "news-topics"]
    assert len(list_datasets("sample", limit=2, offset=1)) == 2
    (tmp_path / "a.jsonl").write_text('{"x": 1}\n')
    (tmp_path / "b.csv").write_text("x,y\n1,2\n")
    local = list_datasets("local", path=tmp_path)
    assert [e.name for e in local] == ["a", "b"]
    assert {v.rule: v for v in local[0].verdicts}["license"].ok is False


def test_media_in_a_save_to_disk_folder_streams_without_decoding(tmp_path):
    from datasets import Audio, Dataset

    wav = b"RIFF" + b"\0" * 60
    ds = Dataset.from_dict({"clip": [{"bytes": wav, "path": "a.wav"}], "words": ["hello there"]})
    ds.cast_column("clip", Audio()).save_to_disk(str(tmp_path / "audio"))
    meta = load_meta(parse_ref(str(tmp_path / "audio")), rows=1)
    assert meta.feature_map["clip"].type == "Audio"
    assert not {v.rule: v for v in meta.verdicts}["media"].ok
    assert next(iter_rows(meta.ref))["clip"] == "<Audio: a.wav, 64 bytes>"


def test_a_folder_of_data_files_without_a_card(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text('{"q": "one", "a": "1"}\n{"q": "two", "a": "2"}\n')
    (tmp_path / "data" / "test.jsonl").write_text('{"q": "three", "a": "3"}\n')
    meta = load_meta(parse_ref(f"local:{tmp_path}"), rows=5)
    assert meta.configs == ["default"] and set(meta.splits) == {"train", "test"}
    assert meta.rows["test"] == [{"q": "three", "a": "3"}]
    assert meta.card == "" and meta.license == []


def test_a_folder_with_split_files_lists_as_one_dataset(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"q": "one", "a": "1"}\n')
    (tmp_path / "test.jsonl").write_text('{"q": "two", "a": "2"}\n')
    listed = list_datasets("local", path=tmp_path)
    assert [e.name for e in listed] == [tmp_path.name]
    meta = load_meta(listed[0].ref, rows=1)
    assert set(meta.splits) == {"train", "test"}
