"""Feature types, ClassLabel names in rows, media placeholders and cell size caps."""

from datasets import Audio, ClassLabel, Features, Image, List, Sequence, Value

from dynotui.core.sources.features import (CELL_LIMIT, cap, convert_row, display_row,
                                           to_features, type_string)

LABELS = ClassLabel(names=["neg", "pos"])
TAGS = ClassLabel(names=["O", "B-PER", "I-PER"])
FEATURES = Features({
    "text": Value("string"),
    "label": LABELS,
    "tags": List(TAGS),
    "answers": Sequence({"text": Value("string"), "answer_start": Value("int32")}),
    "meta": {"score": Value("float32"), "gold": LABELS},
    "pairs": List({"a": Value("string"), "b": LABELS}),
    "picture": Image(),
    "clip": Audio(),
})


def test_type_strings_are_readable():
    types = {f.name: f.type for f in to_features(FEATURES)}
    assert types == {
        "text": "string", "label": "ClassLabel", "tags": "Sequence[ClassLabel]",
        "answers": "dict{text: Sequence[string], answer_start: Sequence[int32]}",
        "meta": "dict{score: float32, gold: ClassLabel}",
        "pairs": "Sequence[dict{a: string, b: ClassLabel}]",
        "picture": "Image", "clip": "Audio"}


def test_label_names_and_flags_per_field():
    feats = {f.name: f for f in to_features(FEATURES, {"text": "the review"})}
    assert feats["label"].label_names == ["neg", "pos"]
    assert feats["tags"].label_names == ["O", "B-PER", "I-PER"]
    assert feats["text"].label_names is None and feats["text"].description == "the review"
    assert feats["picture"].is_media and feats["clip"].is_media and not feats["text"].is_media
    assert feats["answers"].is_nested and feats["pairs"].is_nested


def test_class_labels_become_names_at_any_depth():
    row = {"text": "ok", "label": 1, "tags": [0, 1, 2], "meta": {"score": 0.5, "gold": 0},
           "pairs": [{"a": "x", "b": 1}], "answers": {"text": ["a"], "answer_start": [3]}}
    out = convert_row(row, FEATURES)
    assert out["label"] == "pos" and out["tags"] == ["O", "B-PER", "I-PER"]
    assert out["meta"] == {"score": 0.5, "gold": "neg"}
    assert out["pairs"] == [{"a": "x", "b": "pos"}]
    assert out["answers"] == {"text": ["a"], "answer_start": [3]}
    assert convert_row({"label": -1}, FEATURES)["label"] is None  # datasets' "no label"


def test_media_values_show_as_placeholders():
    out = convert_row({"picture": {"bytes": b"\x89PNG" * 10, "path": "cat.png"}}, FEATURES)
    assert out["picture"] == "<Image: cat.png, 40 bytes>"


def test_a_10_mb_cell_is_cut_and_flagged():
    truncated = []
    big = "x" * (10 * 1024 * 1024)
    row = display_row({"text": big, "label": 0}, FEATURES, "train/3", truncated)
    assert len(row["text"]) < CELL_LIMIT + 100 and row["text"].endswith("characters in all]")
    assert row["label"] == "neg"
    assert truncated == ["train/3/text"]


def test_long_lists_and_nested_values_are_capped_too():
    value, cut = cap({"items": ["word"] * 100_000}, limit=1000)
    assert cut and len(value["items"]) < 300 and value["items"][-1].startswith("… [cut:")
    assert cap(b"\0" * 10, 100) == ("<10 bytes>", False)
    assert cap("short", 100) == ("short", False)
