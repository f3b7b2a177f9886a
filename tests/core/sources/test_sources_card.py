"""Dataset cards: front matter, summary and per-field descriptions."""

import pytest

from dynotui.core.errors import DatasetError
from dynotui.core.sources.card import card_configs, card_list, parse_card

CARD = """---
license: cc-by-sa-4.0
language:
- en
- fr
pretty_name: Toy QA
configs:
- config_name: small
  data_files: data/small.jsonl
- config_name: big
  default: true
  data_files: data/big.jsonl
---

# Dataset Card for Toy QA

[![badge](https://example.org/b.svg)](https://example.org)

## Table of Contents
- [Dataset Summary](#dataset-summary)

## Dataset Description

### Dataset Summary

Toy QA pairs short questions with answers taken from the passage.
It is small on purpose.

[More Information Needed]

## Dataset Structure

### Data Fields

- `id`: a string identifier.
- `question` (string): the question asked.
- `answers`: a dictionary with
  - `text`: the answer strings,
    one per annotator.
  - `answer_start`: character offsets.
* **label**: the class.

| Field | Type | Description |
|-------|------|-------------|
| `context` | string | the passage the answer comes from |

## Citation

```
@misc{x, title={y}}
```
"""


def test_front_matter_summary_and_fields_are_read():
    card = parse_card(CARD)
    assert card.data["pretty_name"] == "Toy QA"
    assert card_list(card.data, "license") == ["cc-by-sa-4.0"]
    assert card_list(card.data, "language") == ["en", "fr"]
    assert card.summary == ("Toy QA pairs short questions with answers taken from the passage. "
                            "It is small on purpose.")
    fields = card.field_descriptions
    assert fields["id"] == "a string identifier."
    assert fields["question"] == "the question asked."
    assert fields["answers.text"] == "the answer strings, one per annotator."
    assert fields["answers.answer_start"] == "character offsets."
    assert fields["label"] == "the class."
    assert fields["context"] == "the passage the answer comes from"
    assert card.problem == ""


def test_default_config_comes_first():
    assert [c["config_name"] for c in card_configs(parse_card(CARD).data)] == ["big", "small"]


def test_summary_falls_back_to_the_first_prose_paragraph():
    card = parse_card("---\nlicense: mit\n---\n# Title\n\n![img](x.png)\n\n"
                      "This dataset collects recipes from family cookbooks.\n\n## Other\n\ntext")
    assert card.summary == "This dataset collects recipes from family cookbooks."
    assert parse_card("no front matter, just words in a short line here").data == {}


def test_malformed_front_matter_is_noted_or_raised_with_the_line():
    broken = "---\nlicense: mit\nlanguage: [en\n  x: : :\n---\n\nSome words for a summary here.\n"
    card = parse_card(broken, "README.md of org/x")
    assert "malformed YAML" in card.problem and "line 4" in card.problem
    assert card.data == {} and card.summary == "Some words for a summary here."
    with pytest.raises(DatasetError) as err:
        parse_card(broken, strict=True)
    assert "between the '---' lines" in err.value.hint


def test_front_matter_that_is_not_a_mapping_is_a_problem():
    card = parse_card("---\n- just\n- a list\n---\nbody words are here now\n")
    assert "not a mapping" in card.problem


def test_yaml_errors_never_carry_raw_control_characters():
    card = parse_card("---\nlicense: mit\nx: \x1b]0;title\x07\n---\nbody words go here\n")
    assert "\x1b" not in card.problem and "\x07" not in card.problem
