"""Features read from a card's YAML without datasets match what datasets itself reads, and
listing samples or a local folder imports no datasets."""

import subprocess
import sys
import textwrap

import pytest

from dynotui.core.sources.assemble import card_features, config_names
from dynotui.core.sources.card import parse_card
from dynotui.core.sources.cardfeatures import card_feature_list
from dynotui.core.sources.features import to_features
from dynotui.core.sources.samples import SAMPLES_DIR, sample_names

CARDS = {
    "plain": """
dataset_info:
  features:
  - name: text
    dtype: string
  - name: score
    dtype: float
  - name: big
    dtype: large_string
  - name: when
    dtype: timestamp[us, tz=UTC]
  - name: price
    dtype: decimal128(10, 2)
""",
    "labels": """
dataset_info:
  features:
  - name: label
    dtype:
      class_label:
        names:
          '0': neg
          '1': pos
  - name: tags
    sequence:
      class_label:
        names: [O, B-PER, I-PER]
  - name: counted
    dtype:
      class_label:
        num_classes: 3
""",
    "label ids with a gap": """
dataset_info:
  features:
  - name: label
    dtype:
      class_label:
        names:
          '0': neg
          '2': pos
""",
    "nested": """
dataset_info:
  features:
  - name: tokens
    list: string
  - name: answers
    sequence:
    - name: text
      dtype: string
    - name: answer_start
      dtype: int32
  - name: meta
    struct:
    - name: score
      dtype: float32
    - name: gold
      dtype:
        class_label:
          names: {'0': a, '1': b}
  - name: pairs
    list:
    - name: a
      dtype: string
  - name: old
    sequence:
      struct:
      - name: x
        dtype: int64
  - name: wide
    large_list: int8
  - name: fixed
    list: float32
    length: 4
""",
    "media": """
dataset_info:
  features:
  - name: picture
    dtype: image
  - name: clip
    dtype: audio
  - name: blob
    dtype: json
  - name: grid
    array2_d:
      shape: [2, 2]
      dtype: float32
  - name: tr
    translation:
      languages: [en, fr]
""",
    "configs": """
configs:
- config_name: small
  data_files: small/*.jsonl
- config_name: big
  data_files: big/*.jsonl
dataset_info:
- config_name: small
  features:
  - name: a
    dtype: string
- config_name: big
  features:
  - name: b
    dtype: int64
  splits:
  - name: train
    num_bytes: 10
    num_examples: 2
""",
    "unknown dtype": "dataset_info:\n  features:\n  - name: a\n    dtype: strin\n",
    "no name": "dataset_info:\n  features:\n  - dtype: string\n",
    "item not a mapping": "dataset_info:\n  features:\n  - text\n",
    "description first": ("dataset_info:\n  features:\n  - name: a\n    description: words\n"
                          "    dtype: string\n"),
    "bad version": ("dataset_info:\n  version: one\n  features:\n  - name: a\n"
                    "    dtype: string\n"),
    "bad config elsewhere": """
dataset_info:
- config_name: good
  features:
  - name: a
    dtype: string
- config_name: bad
  features:
  - name: b
    dtype: nonsense
""",
    "bad split entry": ("dataset_info:\n  features:\n  - name: a\n    dtype: string\n"
                        "  splits:\n  - name: train\n    rows: 3\n"),
    "empty features": "dataset_info:\n  features: []\n",
    "no features": "dataset_info:\n  splits:\n  - name: train\n    num_bytes: 1\n    num_examples: 1\n",
    "unknown type": "dataset_info:\n  features:\n  - name: a\n    widget:\n      size: 3\n",
    "list without type": "dataset_info:\n  features:\n  - name: a\n    dtype: list\n",
    "bool": "dataset_info:\n  features:\n  - name: ok\n    dtype: bool\n",
}


def _card(yaml_text: str):
    return parse_card(f"---\n{textwrap.dedent(yaml_text).strip()}\n---\n# Card\n")


def _datasets_view(card, config):
    try:
        features = card_features(card, config)
    except Exception:
        return "raised"
    if features is None:
        return None
    return [(f.name, f.type, f.label_names) for f in to_features(features)]


def _light_view(card, config):
    found = card_feature_list(card, config)
    return None if found is None else [(f.name, f.type, f.label_names) for f in found]


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_features_match_datasets_reading(name):
    """Given a card's dataset_info, when read without datasets, then the fields, types and
    class labels equal datasets' own reading (None where datasets rejects the card)."""
    card = _card(CARDS[name])
    assert not card.problem
    for config in config_names(card) + ["missing"]:
        assert _light_view(card, config) == _datasets_view(card, config), (name, config)


@pytest.mark.parametrize("sample", sample_names())
def test_bundled_sample_cards_match_datasets_reading(sample):
    card = parse_card((SAMPLES_DIR / sample / "README.md").read_text(encoding="utf-8"))
    config = config_names(card)[0]
    assert _light_view(card, config) == _datasets_view(card, config)
    assert _light_view(card, config)


LISTING = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dynotui.core.sources import list_datasets
    samples = list_datasets("sample")
    assert samples and all(e.fields for e in samples), samples
    folder = Path(sys.argv[1])
    many = list_datasets("local", path=folder)
    one = list_datasets("local", path=folder / "cards")
    assert [e.name for e in many] == ["cards", "plain"], many
    assert one[0].fields == ["text", "label"], one
    print("datasets" in sys.modules, "pyarrow" in sys.modules)
""")


def test_listing_samples_and_a_hub_layout_folder_imports_no_datasets(tmp_path):
    """Given the bundled samples and a folder with a Hub-layout child, when listed in a fresh
    process, then neither datasets nor pyarrow was imported."""
    hub_layout = tmp_path / "cards"
    (hub_layout / "data").mkdir(parents=True)
    (hub_layout / "README.md").write_text(
        "---\nlicense: mit\ndataset_info:\n  features:\n  - name: text\n    dtype: string\n"
        "  - name: label\n    dtype:\n      class_label:\n        names: [a, b]\n---\n# Cards\n")
    (hub_layout / "data" / "train.jsonl").write_text('{"text": "x", "label": 0}\n')
    (tmp_path / "plain.jsonl").write_text('{"text": "y"}\n')
    done = subprocess.run([sys.executable, "-c", LISTING, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_libyaml_reading_equals_the_python_parser_and_errors_keep_their_line():
    """Given the sample cards and a malformed one, when parsed (libyaml first), then the data
    equals PyYAML's pure-Python reading and a bad card still names its line."""
    import yaml

    from dynotui.core.errors import DatasetError
    from dynotui.core.sources.card import parse_yaml, split_front_matter

    texts = [(SAMPLES_DIR / n / "README.md").read_text(encoding="utf-8") for n in sample_names()]
    texts += [f"---\n{textwrap.dedent(y).strip()}\n---\n" for y in CARDS.values()]
    for text in texts:
        front = split_front_matter(text)[0]
        assert parse_yaml(front) == yaml.load(front, Loader=yaml.SafeLoader)
    with pytest.raises(DatasetError, match=r"malformed YAML front matter at line 4: expected .,. or .\]."):
        parse_yaml("license: mit\nlanguage: [en\n")
