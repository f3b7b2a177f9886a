"""Rows as the original pipeline sampled them; `read` stands in for the sources here (the
export tests read real local datasets)."""

from __future__ import annotations

import datetime

from dynotui.core.instances.sampling import excluded, original_rows
from dynotui.core.models import Feature


def reader(sizes: dict[str, int], make=lambda split, i: {"s": split, "i": i}):
    calls = []

    def read(split: str, limit: int):
        calls.append(split)
        return iter([make(split, i) for i in range(min(sizes[split], limit))])
    return read, calls


def test_train_and_validation_splits_in_the_datasets_order_100_each():
    read, calls = reader({"validation": 100, "test": 100, "train": 30, "train_extra": 100})
    rows, why = original_rows(read, ["validation", "test", "train", "train_extra"])
    assert calls == ["validation", "train"]  # test never; train ran out, so no train_extra
    assert len(rows) == 130 and rows[100] == {"s": "train", "i": 0} and why == ""


def test_every_train_or_validation_named_split_counts_and_dev_does_not():
    read, calls = reader({"train_r1": 150, "dev_r1": 100, "train_r2": 100, "validation_matched": 7})
    rows, _ = original_rows(read, ["train_r1", "dev_r1", "train_r2", "validation_matched"])
    assert calls == ["train_r1", "train_r2", "validation_matched"] and len(rows) == 207


def test_classlabels_index_like_python_and_a_bad_value_ends_the_sample():
    features = [Feature("label", "ClassLabel", ["a", "b", "c"]),
                Feature("tags", "Sequence[ClassLabel]", ["x", "y"])]
    values = ["b", None, -2, 2, 7, "a"]  # our sources hand -1 over as None

    def make(split, i):
        return {"label": values[i] if split == "train" else "a", "tags": ["y", None, "x"]}
    read, calls = reader({"train": 6, "validation": 5}, make)
    rows, why = original_rows(read, ["train", "validation"], features)
    assert [r["label"] for r in rows] == ["b", "c", "b", "c"]  # -1 -> names[-1], -2 -> names[-2]
    assert rows[0]["tags"] == [1, -1, 0]  # labels in lists stayed numbers in the original
    assert why.startswith("train row 5: 'label' holds 7") and calls == ["train"]


def test_rows_pass_through_json_with_default_str():
    when = datetime.datetime(2020, 1, 2, 3, 4, 5)
    read, _ = reader({"train": 1}, lambda s, i: {"t": ("a", "b"), "d": when, "b": b"x", "n": 1.5})
    rows, _ = original_rows(read, ["train"])
    assert rows == [{"t": ["a", "b"], "d": "2020-01-02 03:04:05", "b": "b'x'", "n": 1.5}]


def test_datasets_the_original_skipped_whole():
    assert excluded(["text"]) == "the dataset has fewer than two fields"
    assert excluded(["caption", "image_path"]) == "field 'image_path' names an image or audio"
    assert excluded(["Image", "text"]) == ""  # case-sensitive, as the original
    assert excluded(["audio_len", "text"]).startswith("field 'audio_len'")
